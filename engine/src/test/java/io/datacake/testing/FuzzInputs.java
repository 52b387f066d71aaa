package io.datacake.testing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Turns valid messages into malformed ones, for the fuzz tests. The same mutations are driven either by a seeded
 * random (the fixed-size slice every default build runs, see {@link #runSlice}) or by the bytes a coverage-guided
 * fuzzer chooses (through {@link Choices}), so a fuzzer explores edits of real messages rather than only raw noise.
 * <p>
 * A slice runs {@value #DEFAULT_RUNS} inputs unless {@value #RUNS_PROPERTY} says otherwise; its seed is printed and
 * {@value SeededTrials#SEED_PROPERTY} replays it. A failing input is reported as a Java byte array literal, ready to
 * become a regression test.
 */
public final class FuzzInputs
{
    /** System property: inputs per slice. */
    public static final String RUNS_PROPERTY = "datacake.fuzz.runs";

    /** Inputs per slice by default: enough to reach every length and count check in a few seconds. */
    public static final int DEFAULT_RUNS = 10_000;

    /** Bound on the edits stacked onto one input. */
    public static final int MAX_EDITS = 8;

    /** Bound on the bytes one edit appends or inserts. */
    public static final int MAX_GROWTH_BYTES = 64;

    /** Integers that sit on the edges of length and count checks. */
    private static final int[] EDGES = {
        0, 1, -1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 1 << 20, 1 << 30,
        Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE - 7};

    /**
     * Where the mutations take their decisions from.
     */
    public interface Choices
    {
        /**
         * @param bound exclusive upper bound, positive.
         * @return a choice in {@code [0, bound)}.
         */
        int pick(int bound);

        /**
         * @return any byte.
         */
        byte anyByte();
    }

    private FuzzInputs()
    {
    }

    /**
     * Choices from a seeded random.
     *
     * @param random the source.
     * @return choices drawn from it.
     */
    public static Choices from(final SplittableRandom random)
    {
        return new Choices()
        {
            public int pick(final int bound)
            {
                return random.nextInt(bound);
            }

            public byte anyByte()
            {
                return (byte)random.nextInt(256);
            }
        };
    }

    /**
     * Choices from a coverage-guided fuzzer's input, so the fuzzer steers the edits. Once its bytes run out every
     * choice is the smallest.
     *
     * @param data the fuzzer's input.
     * @return choices drawn from it.
     */
    public static Choices from(final FuzzedDataProvider data)
    {
        return new Choices()
        {
            public int pick(final int bound)
            {
                return data.consumeInt(0, bound - 1);
            }

            public byte anyByte()
            {
                return data.consumeByte();
            }
        };
    }

    /**
     * One input: now and then raw noise, otherwise one of the seeds (or two spliced) with a few edits stacked on it:
     * truncation, growth, flipped bytes, edge integers written over a field, inserted and deleted runs.
     *
     * @param seeds   valid messages; at least one.
     * @param choices where the decisions come from.
     * @return a new array; the seeds are not changed.
     */
    public static byte[] mutate(final List<byte[]> seeds, final Choices choices)
    {
        if (0 == choices.pick(16))
        {
            final byte[] noise = new byte[choices.pick(4 * MAX_GROWTH_BYTES)];
            for (int i = 0; i < noise.length; i++)
            {
                noise[i] = choices.anyByte();
            }
            return noise;
        }
        byte[] input = seeds.get(choices.pick(seeds.size())).clone();
        final int edits = 1 + choices.pick(MAX_EDITS);
        for (int i = 0; i < edits; i++)
        {
            input = edit(input, seeds, choices);
        }
        return input;
    }

    /**
     * Run a slice of mutated inputs through a target. The target throws (or fails an assertion) for a bug.
     *
     * @param target what is fuzzed, for the messages.
     * @param seeds  valid messages to mutate; they are run unchanged first.
     * @param input  the check of one input.
     * @return how many inputs ran.
     * @throws AssertionError naming the seed, the input's index and its bytes if an input failed.
     */
    public static int runSlice(final String target, final List<byte[]> seeds, final Consumer<byte[]> input)
    {
        return runSlice(target, seeds, DEFAULT_RUNS, input);
    }

    /**
     * Run a slice of a given default size through a slow target (one that does I/O per input).
     *
     * @param target      what is fuzzed, for the messages.
     * @param seeds       valid messages to mutate; they are run unchanged first.
     * @param defaultRuns inputs when {@value #RUNS_PROPERTY} is not set.
     * @param input       the check of one input.
     * @return how many inputs ran.
     * @throws AssertionError naming the seed, the input's index and its bytes if an input failed.
     */
    public static int runSlice(
        final String target, final List<byte[]> seeds, final int defaultRuns, final Consumer<byte[]> input)
    {
        final long seed = SeededTrials.seed(target);
        final int runs = Integer.getInteger(RUNS_PROPERTY, defaultRuns);
        final Choices choices = from(new SplittableRandom(seed));
        for (final byte[] valid : seeds)
        {
            check(target, seed, -1, valid, input);
        }
        for (int i = 0; i < runs; i++)
        {
            check(target, seed, i, mutate(seeds, choices), input);
        }
        final int executions = seeds.size() + runs;
        System.out.println(target + ": " + executions + " inputs");
        return executions;
    }

    /**
     * @param bytes any bytes.
     * @return them as a Java array initializer, for a regression test.
     */
    public static String javaLiteral(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder("new byte[]{");
        for (int i = 0; i < bytes.length; i++)
        {
            text.append(i > 0 ? ", " : "").append(bytes[i]);
        }
        return text.append('}').toString();
    }

    private static void check(
        final String target, final long seed, final int index, final byte[] bytes, final Consumer<byte[]> input)
    {
        try
        {
            input.accept(bytes.clone());
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError(target + " failed on input " + index + " of seed " + seed + " (replay with -D" +
                SeededTrials.SEED_PROPERTY + "=" + seed + "): " + javaLiteral(bytes), ex);
        }
    }

    private static byte[] edit(final byte[] input, final List<byte[]> seeds, final Choices choices)
    {
        final int length = input.length;
        switch (choices.pick(8))
        {
            case 0:
                return Arrays.copyOf(input, 0 == length ? 0 : choices.pick(length));
            case 1:
            {
                final byte[] grown = Arrays.copyOf(input, length + 1 + choices.pick(MAX_GROWTH_BYTES));
                for (int i = length; i < grown.length; i++)
                {
                    grown[i] = choices.anyByte();
                }
                return grown;
            }
            case 2:
                if (length > 0)
                {
                    input[choices.pick(length)] = choices.anyByte();
                }
                return input;
            case 3:
                if (length > 0)
                {
                    input[choices.pick(length)] ^= (byte)(1 << choices.pick(8));
                }
                return input;
            case 4:
                return putEdge(input, choices, Integer.BYTES);
            case 5:
                return putEdge(input, choices, Short.BYTES);
            case 6:
            {
                final int at = choices.pick(length + 1);
                final int removed = Math.min(length - at, 1 + choices.pick(16));
                final byte[] shorter = new byte[length - removed];
                System.arraycopy(input, 0, shorter, 0, at);
                System.arraycopy(input, at + removed, shorter, at, length - at - removed);
                return shorter;
            }
            default:
            {
                final byte[] other = seeds.get(choices.pick(seeds.size()));
                final int head = choices.pick(length + 1);
                final int from = choices.pick(other.length + 1);
                final byte[] spliced = Arrays.copyOf(input, head + other.length - from);
                System.arraycopy(other, from, spliced, head, other.length - from);
                return spliced;
            }
        }
    }

    private static byte[] putEdge(final byte[] input, final Choices choices, final int width)
    {
        if (input.length < width)
        {
            return input;
        }
        final int at = choices.pick(input.length - width + 1);
        int value = EDGES[choices.pick(EDGES.length)];
        if (0 == choices.pick(4))
        {
            value = input.length - choices.pick(width * 4);
        }
        for (int i = 0; i < width; i++)
        {
            input[at + i] = (byte)(value >>> (8 * i));
        }
        return input;
    }
}
