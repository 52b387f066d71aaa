package io.datacake.perf.report;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes JSON text with two-space indentation into a {@link StringBuilder}: objects, arrays, strings escaped as
 * RFC 8259 requires, numbers (a non-finite double becomes {@code null}, which JSON has no number for), booleans
 * and nulls. Call order is the document order; a name goes before each value inside an object.
 */
final class JsonWriter
{
    private static final String INDENT = "  ";

    private final StringBuilder out;
    private final Deque<Boolean> firstInScope = new ArrayDeque<>();
    private boolean afterName;

    JsonWriter(final StringBuilder out)
    {
        this.out = out;
    }

    JsonWriter beginObject()
    {
        return open('{');
    }

    JsonWriter endObject()
    {
        return close('}');
    }

    JsonWriter beginArray()
    {
        return open('[');
    }

    JsonWriter endArray()
    {
        return close(']');
    }

    /**
     * The name of the next member of the current object.
     */
    JsonWriter name(final String name)
    {
        separate();
        quote(out, name);
        out.append(": ");
        afterName = true;
        return this;
    }

    JsonWriter value(final String value)
    {
        separate();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            quote(out, value);
        }
        return this;
    }

    JsonWriter value(final long value)
    {
        separate();
        out.append(value);
        return this;
    }

    JsonWriter value(final double value)
    {
        separate();
        if (Double.isFinite(value))
        {
            out.append(value);
        }
        else
        {
            out.append("null");
        }
        return this;
    }

    JsonWriter value(final boolean value)
    {
        separate();
        out.append(value);
        return this;
    }

    JsonWriter nullValue()
    {
        separate();
        out.append("null");
        return this;
    }

    /**
     * Append a JSON string literal: quotes, backslashes and control characters escaped; other characters as they
     * are (the file is UTF-8).
     */
    static void quote(final StringBuilder sb, final String text)
    {
        sb.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default ->
                {
                    // U+2028 and U+2029 are legal JSON but break JavaScript readers of the same text.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029')
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private JsonWriter open(final char bracket)
    {
        separate();
        out.append(bracket);
        firstInScope.push(Boolean.TRUE);
        return this;
    }

    private JsonWriter close(final char bracket)
    {
        final boolean empty = firstInScope.pop();
        if (!empty)
        {
            newLine();
        }
        out.append(bracket);
        if (firstInScope.isEmpty())
        {
            out.append('\n');
        }
        return this;
    }

    /**
     * Before a name, or a value not preceded by a name: a comma unless it is the first in its scope, then a new line.
     */
    private void separate()
    {
        if (afterName)
        {
            afterName = false;
            return;
        }
        if (firstInScope.isEmpty())
        {
            return;
        }
        if (!firstInScope.pop())
        {
            out.append(',');
        }
        firstInScope.push(Boolean.FALSE);
        newLine();
    }

    private void newLine()
    {
        out.append('\n');
        for (int i = 0; i < firstInScope.size(); i++)
        {
            out.append(INDENT);
        }
    }
}
