package io.datacake.membership;

import org.agrona.DirectBuffer;

/**
 * Strict UTF-8 check over a buffer range without decoding: rejects overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences, so a key that passes decodes to exactly one string and re-encodes to the same
 * bytes.
 */
final class Utf8
{
    private Utf8()
    {
    }

    static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int i = offset;
        while (i < end)
        {
            final int b0 = buffer.getByte(i) & 0xFF;
            if (b0 < 0x80)
            {
                i++;
                continue;
            }
            final int count;
            final int min;
            int codePoint;
            if ((b0 & 0xE0) == 0xC0)
            {
                count = 1;
                min = 0x80;
                codePoint = b0 & 0x1F;
            }
            else if ((b0 & 0xF0) == 0xE0)
            {
                count = 2;
                min = 0x800;
                codePoint = b0 & 0x0F;
            }
            else if ((b0 & 0xF8) == 0xF0)
            {
                count = 3;
                min = 0x10000;
                codePoint = b0 & 0x07;
            }
            else
            {
                return false;
            }
            if (i + count >= end)
            {
                return false;
            }
            for (int k = 1; k <= count; k++)
            {
                final int b = buffer.getByte(i + k) & 0xFF;
                if ((b & 0xC0) != 0x80)
                {
                    return false;
                }
                codePoint = (codePoint << 6) | (b & 0x3F);
            }
            if (codePoint < min || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            {
                return false;
            }
            i += count + 1;
        }
        return true;
    }
}
