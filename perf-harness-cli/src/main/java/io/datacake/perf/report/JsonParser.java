package io.datacake.perf.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON text (RFC 8259) into plain values: an object becomes a {@link LinkedHashMap} in document order, an
 * array a {@link List}, a string a {@link String}, a number a {@link Long} when it is an integer that fits, else a
 * {@link Double}, {@code true}/{@code false} a {@link Boolean}, and {@code null} null. Nesting is bounded by
 * {@link #MAX_DEPTH} so that hostile input cannot exhaust the stack.
 */
final class JsonParser
{
    /** Deepest nesting of objects and arrays accepted; a run summary needs four. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private int position;
    private int depth;

    private JsonParser(final String text)
    {
        this.text = text;
    }

    /**
     * Parse a whole document.
     *
     * @param text the JSON text.
     * @return the value it holds.
     * @throws IllegalArgumentException naming the offset and what was expected there, if the text is not JSON.
     */
    static Object parse(final String text)
    {
        final JsonParser parser = new JsonParser(text);
        final Object value = parser.value();
        parser.skipWhitespace();
        if (parser.position != text.length())
        {
            throw parser.error("end of the document");
        }
        return value;
    }

    private Object value()
    {
        skipWhitespace();
        if (position >= text.length())
        {
            throw error("a value");
        }
        final char c = text.charAt(position);
        return switch (c)
        {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default ->
            {
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    yield number();
                }
                throw error("a value");
            }
        };
    }

    private Map<String, Object> object()
    {
        enter();
        final Map<String, Object> members = new LinkedHashMap<>();
        position++;
        skipWhitespace();
        if (peek() == '}')
        {
            position++;
            depth--;
            return members;
        }
        while (true)
        {
            skipWhitespace();
            if (peek() != '"')
            {
                throw error("a member name in quotes");
            }
            final String name = string();
            skipWhitespace();
            expect(':');
            members.put(name, value());
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect('}');
                depth--;
                return members;
            }
        }
    }

    private List<Object> array()
    {
        enter();
        final List<Object> elements = new ArrayList<>();
        position++;
        skipWhitespace();
        if (peek() == ']')
        {
            position++;
            depth--;
            return elements;
        }
        while (true)
        {
            elements.add(value());
            skipWhitespace();
            if (peek() == ',')
            {
                position++;
            }
            else
            {
                expect(']');
                depth--;
                return elements;
            }
        }
    }

    private String string()
    {
        position++;
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (position >= text.length())
            {
                throw error("a closing quote");
            }
            final char c = text.charAt(position++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c < 0x20)
            {
                position--;
                throw error("an escaped control character");
            }
            if (c != '\\')
            {
                sb.append(c);
                continue;
            }
            if (position >= text.length())
            {
                throw error("an escape sequence");
            }
            final char escaped = text.charAt(position++);
            switch (escaped)
            {
                case '"', '\\', '/' -> sb.append(escaped);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(unicodeEscape());
                default ->
                {
                    position--;
                    throw error("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
            }
        }
    }

    private char unicodeEscape()
    {
        if (position + 4 > text.length())
        {
            throw error("four hex digits");
        }
        int code = 0;
        for (int i = 0; i < 4; i++)
        {
            final int digit = Character.digit(text.charAt(position), 16);
            if (digit < 0)
            {
                throw error("four hex digits");
            }
            code = code * 16 + digit;
            position++;
        }
        return (char)code;
    }

    private Object number()
    {
        final int start = position;
        if (peek() == '-')
        {
            position++;
        }
        if (peek() == '0')
        {
            position++;
        }
        else if (!digits())
        {
            throw error("a digit");
        }
        boolean integer = true;
        if (peek() == '.')
        {
            integer = false;
            position++;
            if (!digits())
            {
                throw error("a digit after the decimal point");
            }
        }
        if (peek() == 'e' || peek() == 'E')
        {
            integer = false;
            position++;
            if (peek() == '+' || peek() == '-')
            {
                position++;
            }
            if (!digits())
            {
                throw error("a digit in the exponent");
            }
        }
        final String literal = text.substring(start, position);
        if (integer)
        {
            try
            {
                return Long.parseLong(literal);
            }
            catch (final NumberFormatException tooLarge)
            {
                return Double.parseDouble(literal);
            }
        }
        return Double.parseDouble(literal);
    }

    private boolean digits()
    {
        final int start = position;
        while (position < text.length() && text.charAt(position) >= '0' && text.charAt(position) <= '9')
        {
            position++;
        }
        return position > start;
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, position))
        {
            throw error("'" + word + "'");
        }
        position += word.length();
        return value;
    }

    private void enter()
    {
        if (++depth > MAX_DEPTH)
        {
            throw error("at most " + MAX_DEPTH + " nested objects and arrays");
        }
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("'" + c + "'");
        }
        position++;
    }

    private char peek()
    {
        return position < text.length() ? text.charAt(position) : 0;
    }

    private void skipWhitespace()
    {
        while (position < text.length())
        {
            final char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            {
                return;
            }
            position++;
        }
    }

    private IllegalArgumentException error(final String expected)
    {
        final String found = position >= text.length() ? "the end of the text" :
            "'" + text.substring(position, Math.min(text.length(), position + 12)) + "'";
        return new IllegalArgumentException(
            "not valid JSON at offset " + position + ": expected " + expected + " but found " + found);
    }
}
