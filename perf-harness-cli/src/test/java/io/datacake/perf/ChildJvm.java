package io.datacake.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process (a JVM, or a script that starts one) whose merged standard output and error are read line by
 * line, so a test can wait for a line.
 */
final class ChildJvm implements AutoCloseable
{
    /** Deadlines are generous: they only bound a hung child, never measure it. */
    static final long DEADLINE_S = 180;

    /** The JVM flags every JVM running Agrona needs (the launcher script passes the same). */
    static final List<String> JVM_FLAGS =
        List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread reader;

    ChildJvm(final List<String> command, final Path workingDir) throws IOException
    {
        this(command, workingDir, null);
    }

    ChildJvm(final List<String> command, final Path workingDir, final Map<String, String> environment)
        throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
            .redirectErrorStream(true);
        if (null != environment)
        {
            builder.environment().putAll(environment);
        }
        process = builder.start();
        reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // The process went away: the lines read so far are what it said.
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The command running {@link PerfHarness} from this JVM's class path with the required flags.
     */
    static List<String> perfHarness(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PerfHarness.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    Process process()
    {
        return process;
    }

    /**
     * Wait for a line containing the text.
     *
     * @return true when it came before the deadline or the end of the output.
     */
    boolean awaitLine(final String text) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
        while (System.nanoTime() < deadlineNs)
        {
            final String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (null != line)
            {
                seen.add(line);
                if (line.contains(text))
                {
                    return true;
                }
            }
            else if (!process.isAlive() && !reader.isAlive() && lines.isEmpty())
            {
                return false;
            }
        }
        return false;
    }

    /**
     * Wait for the process to exit and its output to be read.
     *
     * @return every line it printed.
     */
    List<String> awaitExit() throws InterruptedException
    {
        if (!process.waitFor(DEADLINE_S, TimeUnit.SECONDS))
        {
            throw new AssertionError("child did not exit within " + DEADLINE_S + " s; output so far: " + output());
        }
        reader.join(TimeUnit.SECONDS.toMillis(DEADLINE_S));
        return output();
    }

    List<String> output()
    {
        lines.drainTo(seen);
        return seen;
    }

    public void close()
    {
        process.destroyForcibly();
    }
}
