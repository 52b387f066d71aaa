package io.datacake.perf.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Text for the report pages: markup escaping that is valid in both HTML and XML (the pages parse as XHTML), and
 * number formats.
 */
final class Html
{
    private Html()
    {
    }

    /**
     * @param text any text.
     * @return the text with {@code & < > " '} as character references, safe in element content and attributes.
     */
    static String escape(final String text)
    {
        final StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default ->
                {
                    // XML 1.0 forbids most control characters even as references: show them as U+FFFD.
                    sb.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '\uFFFD' : c);
                }
            }
        }
        return sb.toString();
    }

    /**
     * @param value a figure.
     * @return it with about four significant digits: whole and grouped from 1,000, one decimal from 10, else at
     * most three decimals with trailing zeros dropped; "n/a" when it is not finite.
     */
    static String number(final double value)
    {
        if (!Double.isFinite(value))
        {
            return "n/a";
        }
        if (Math.abs(value) >= 1_000)
        {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        final int decimals = Math.abs(value) >= 10 ? 1 : 3;
        final BigDecimal rounded =
            BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).stripTrailingZeros();
        return rounded.signum() == 0 ? "0" : rounded.toPlainString();
    }

    /**
     * @param bytes a size in bytes, or {@link RunData#NOT_MEASURED}.
     * @return it in MiB with one decimal, or "not measured".
     */
    static String mebibytes(final long bytes)
    {
        return bytes == RunData.NOT_MEASURED ? "not measured" :
            String.format(Locale.ROOT, "%,.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
