package io.datacake.perf;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The share of each operation in a workload, from {@code put=80,get=15,delete=5}: integer weights, any total.
 * Operations left out weigh 0.
 */
public final class OperationMix
{
    /** Largest weight of one operation: keeps the total far from overflow. */
    public static final int MAX_WEIGHT = 1_000_000;

    private final int[] weights = new int[Operation.values().length];
    private final int total;

    private OperationMix(final int[] weights)
    {
        System.arraycopy(weights, 0, this.weights, 0, weights.length);
        int sum = 0;
        for (final int weight : weights)
        {
            sum += weight;
        }
        total = sum;
    }

    /**
     * Parse a mix.
     *
     * @param text comma-separated {@code operation=weight} pairs, operations put, get and delete, each at most once.
     * @return the mix.
     * @throws IllegalArgumentException naming what is wrong: an unknown operation, a repeated one, a weight that is
     *                                  not an integer in 0..{@link #MAX_WEIGHT}, or weights that add up to 0.
     */
    public static OperationMix parse(final String text)
    {
        final int[] weights = new int[Operation.values().length];
        final boolean[] seen = new boolean[weights.length];
        for (final String part : text.split(",", -1))
        {
            final int equals = part.indexOf('=');
            if (equals < 0)
            {
                throw new IllegalArgumentException("'" + part.trim() + "' is not operation=weight");
            }
            final Operation operation = operation(part.substring(0, equals).trim());
            if (seen[operation.ordinal()])
            {
                throw new IllegalArgumentException(operation + " is given twice");
            }
            seen[operation.ordinal()] = true;
            weights[operation.ordinal()] = weight(operation, part.substring(equals + 1).trim());
        }
        final OperationMix mix = new OperationMix(weights);
        if (0 == mix.total)
        {
            throw new IllegalArgumentException("the weights add up to 0");
        }
        return mix;
    }

    /**
     * Choose an operation in proportion to the weights.
     *
     * @param random the caller's random source.
     * @return the operation.
     */
    public Operation pick(final SplittableRandom random)
    {
        int draw = random.nextInt(total);
        for (int i = 0; i < weights.length; i++)
        {
            draw -= weights[i];
            if (draw < 0)
            {
                return Operation.of(i);
            }
        }
        throw new IllegalStateException("unreachable: the draw is below the total");
    }

    /**
     * @param operation an operation.
     * @return its weight, 0 when the mix leaves it out.
     */
    public int weight(final Operation operation)
    {
        return weights[operation.ordinal()];
    }

    /**
     * @return true when the mix holds puts or deletes.
     */
    public boolean writes()
    {
        return weights[Operation.PUT.ordinal()] > 0 || weights[Operation.DELETE.ordinal()] > 0;
    }

    /**
     * @return the mix as {@code put=..,get=..,delete=..}, every operation listed.
     */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Operation operation : Operation.values())
        {
            sb.append(sb.length() == 0 ? "" : ",").append(operation).append('=').append(weight(operation));
        }
        return sb.toString();
    }

    private static Operation operation(final String name)
    {
        for (final Operation operation : Operation.values())
        {
            if (operation.toString().equals(name.toLowerCase(Locale.ROOT)))
            {
                return operation;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not an operation (put, get, delete)");
    }

    private static int weight(final Operation operation, final String text)
    {
        try
        {
            final int weight = Integer.parseInt(text);
            if (weight >= 0 && weight <= MAX_WEIGHT)
            {
                return weight;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // Reported below with the range.
        }
        throw new IllegalArgumentException(
            "the weight of " + operation + " must be an integer in 0.." + MAX_WEIGHT + ": '" + text + "'");
    }
}
