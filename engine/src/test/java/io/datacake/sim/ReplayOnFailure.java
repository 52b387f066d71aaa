package io.datacake.sim;

import io.datacake.testing.SeededTrials;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Resolves {@link ReplaySeed} parameters and, when such a test fails, prints and attaches the one command that
 * replays it: {@code mvn -B -pl engine test -Dtest='Class#method' -Ddatacake.seed=N}.
 * <p>
 * A test that runs many seeds itself (a campaign) calls {@link #replayCommand} with the seed that failed and the
 * single-seed test that replays it.
 */
final class ReplayOnFailure implements ParameterResolver, TestExecutionExceptionHandler
{
    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(ReplayOnFailure.class);

    /**
     * The command that replays one seed of one test.
     *
     * @param testClass the test class.
     * @param method    the test method.
     * @param seed      the seed.
     * @return a shell command to run from the repository root.
     */
    static String replayCommand(final Class<?> testClass, final String method, final long seed)
    {
        return "mvn -B -pl engine test -Dtest='" + testClass.getSimpleName() + "#" + method + "' -D" +
            SeededTrials.SEED_PROPERTY + "=" + seed;
    }

    public boolean supportsParameter(final ParameterContext parameterContext, final ExtensionContext extensionContext)
    {
        return parameterContext.isAnnotated(ReplaySeed.class) &&
            parameterContext.getParameter().getType() == long.class;
    }

    public Object resolveParameter(final ParameterContext parameterContext, final ExtensionContext extensionContext)
    {
        final long defaultSeed = parameterContext.findAnnotation(ReplaySeed.class).orElseThrow().value();
        final long seed = SeededTrials.seed(extensionContext.getRequiredTestClass().getSimpleName() + "#" +
            extensionContext.getRequiredTestMethod().getName(), defaultSeed);
        extensionContext.getStore(NAMESPACE).put("seed", seed);
        return seed;
    }

    public void handleTestExecutionException(final ExtensionContext context, final Throwable throwable)
        throws Throwable
    {
        final Long seed = context.getStore(NAMESPACE).get("seed", Long.class);
        if (null == seed)
        {
            throw throwable;
        }
        final String command = replayCommand(
            context.getRequiredTestClass(), context.getRequiredTestMethod().getName(), seed);
        System.err.println("simulation failed with seed " + seed + "; replay: " + command);
        final AssertionError failure = new AssertionError(
            "seed " + seed + " failed; replay: " + command + "\n" + throwable.getMessage(), throwable);
        throw failure;
    }
}
