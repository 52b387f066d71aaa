package io.datacake.perf.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JSON the summary is written and read with: what the writer escapes, the parser reads back, and malformed text
 * is rejected with the offset.
 */
class JsonTest
{
    @Test
    void writtenDocumentParsesBackToTheSameValues()
    {
        final String awkward = "q\" b\\ s/ n\n r\r t\t b\b f\f c\u0001 u\u2028 é µ 😀";
        final StringBuilder sb = new StringBuilder();
        new JsonWriter(sb).beginObject()
            .name(awkward).value(awkward)
            .name("long").value(Long.MIN_VALUE)
            .name("double").value(0.125)
            .name("nan").value(Double.NaN)
            .name("bool").value(false)
            .name("null").nullValue()
            .name("empty").beginArray().endArray()
            .name("emptyObject").beginObject().endObject()
            .name("list").beginArray().value(1).beginObject().name("a").value("b").endObject().endArray()
            .endObject();

        final Map<?, ?> parsed = (Map<?, ?>)JsonParser.parse(sb.toString());

        assertThat(parsed.get(awkward)).isEqualTo(awkward);
        assertThat(parsed.get("long")).isEqualTo(Long.MIN_VALUE);
        assertThat(parsed.get("double")).isEqualTo(0.125);
        assertThat(parsed.containsKey("nan")).isTrue();
        assertThat(parsed.get("nan")).isNull();
        assertThat(parsed.get("bool")).isEqualTo(false);
        assertThat(parsed.get("empty")).isEqualTo(List.of());
        assertThat(parsed.get("emptyObject")).isEqualTo(Map.of());
        assertThat(parsed.get("list")).isEqualTo(List.of(1L, Map.of("a", "b")));
        assertThat(sb.toString()).doesNotContain("\u0001").doesNotContain("\u2028").contains("\\u0001");
    }

    @Test
    void parserReadsNumbersEscapesAndNesting()
    {
        final Object parsed = JsonParser.parse(
            " {\"a\" : [ -0, 12, -3.5e2, 1E+2, 92233720368547758070, \"\\u00e9\\/\" ], \"b\": {\"c\": true}}\n");

        assertThat(parsed).isEqualTo(Map.of(
            "a", List.of(0L, 12L, -350.0, 100.0, 9.223372036854776E19, "é/"),
            "b", Map.of("c", true)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "{\"a\": 1,}                | 8  | a member name in quotes",
        "[1 2]                      | 3  | ']'",
        "{\"a\" 1}                  | 5  | ':'",
        "01                         | 1  | end of the document",
        "-                          | 1  | a digit",
        "1.                         | 2  | a digit after the decimal point",
        "\"abc                      | 4  | a closing quote",
        "\"\\x\"                    | 2  | one of",
        "\"\\u12g4\"                | 5  | four hex digits",
        "tru                        | 0  | 'true'",
        "{\"a\": }                  | 6  | a value",
        "''                         | 0  | a value" })
    void malformedTextIsRejectedWithTheOffsetAndWhatWasExpected(
        final String text, final int offset, final String expected)
    {
        assertThatThrownBy(() -> JsonParser.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("not valid JSON at offset " + offset + ": expected ")
            .hasMessageContaining(expected);
    }

    @Test
    void aRawControlCharacterInAStringIsRejected()
    {
        assertThatThrownBy(() -> JsonParser.parse("\"a\nb\""))
            .hasMessageContaining("offset 2").hasMessageContaining("escaped control character");
    }

    @Test
    void nestingDeeperThanTheBoundIsRejectedWithoutExhaustingTheStack()
    {
        final char[] open = new char[100_000];
        Arrays.fill(open, '[');

        assertThatThrownBy(() -> JsonParser.parse(new String(open)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("at most " + JsonParser.MAX_DEPTH + " nested");
        final String deepest = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
        assertThat(JsonParser.parse(deepest)).isInstanceOf(List.class);
    }
}
