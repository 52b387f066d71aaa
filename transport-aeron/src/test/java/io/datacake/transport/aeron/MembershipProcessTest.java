package io.datacake.transport.aeron;

import org.agrona.IoUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Membership across three JVMs over Aeron UDP on loopback, each child its own media driver under one temp directory
 * and its own free port ({@link MembershipProcessMain}): the three join; a child killed with SIGKILL is reported
 * dead by the other two; a new process for the same node id rejoins with a newer generation, reported as a restart;
 * a child closed cleanly is reported left by the others at once, never dead. Every wait is for a line with a
 * deadline; children are killed and the directory removed also when the test fails.
 */
class MembershipProcessTest
{
    private static final long EVENT_LIMIT_MS = 30_000;
    private static final int FIRST_STREAM_ID = 5101;

    private final List<Child> children = new ArrayList<>();
    private Path baseDirectory;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        for (final Child child : children)
        {
            child.process.destroyForcibly();
        }
        for (final Child child : children)
        {
            child.process.waitFor(10, TimeUnit.SECONDS);
        }
        if (null != baseDirectory)
        {
            // Killed drivers cannot delete their own directories.
            IoUtil.delete(baseDirectory.toFile(), true);
        }
    }

    @Test
    void threeProcessesJoinSeeAKillAsDeathARestartAsARejoinAndACleanCloseAsALeave() throws Exception
    {
        baseDirectory = Files.createTempDirectory(
            AeronDriverSettings.defaultEmbeddedBaseDirectory(), "datacake-aeron-membership-");
        final AeronEndpoint[] endpoints = new AeronEndpoint[3];
        for (int i = 0; i < endpoints.length; i++)
        {
            endpoints[i] = AeronEndpoint.udp("127.0.0.1", FreeUdpPorts.loopback(), FIRST_STREAM_ID + i);
        }
        final Child one = launch(1, endpoints[0], null);
        final Child two = launch(2, endpoints[1], endpoints[0]);
        final Child three = launch(3, endpoints[2], endpoints[0]);
        for (final Child child : List.of(one, two, three))
        {
            for (final Child other : List.of(one, two, three))
            {
                if (other != child)
                {
                    child.await("JOINED " + other.nodeId + " " + other.generation + " false");
                }
            }
        }

        three.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        one.await("DEAD 3 " + three.generation);
        two.await("DEAD 3 " + three.generation);

        final Child threeAgain = launch(3, endpoints[2], endpoints[0]);
        assertThat(threeAgain.generation).as("a restart has a newer generation").isGreaterThan(three.generation);
        one.await("JOINED 3 " + threeAgain.generation + " true");
        two.await("JOINED 3 " + threeAgain.generation + " true");
        threeAgain.await("JOINED 1 " + one.generation + " false");
        threeAgain.await("JOINED 2 " + two.generation + " false");

        two.command(MembershipProcessMain.CLOSE);
        two.await(MembershipProcessMain.CLOSED);
        one.await("LEFT 2");
        threeAgain.await("LEFT 2");
        assertThat(one.lines).as("node 1 saw a leave, not a death").doesNotContain("DEAD 2 " + two.generation);
        assertThat(threeAgain.lines).as("node 3 saw a leave, not a death")
            .doesNotContain("DEAD 2 " + two.generation);
    }

    private Child launch(final int nodeId, final AeronEndpoint endpoint, final AeronEndpoint seed) throws IOException
    {
        final String channel = endpoint.channel();
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MembershipProcessMain.class.getName());
        command.add(Integer.toString(nodeId));
        command.add(channel.substring(channel.lastIndexOf(':') + 1));
        command.add(Integer.toString(endpoint.streamId()));
        command.add(baseDirectory.toString());
        if (null != seed)
        {
            command.add(seed.toString());
        }
        final Path errors = baseDirectory.resolve("node-" + nodeId + "-" + children.size() + ".err");
        final Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        final Child child = new Child(nodeId, process, errors);
        children.add(child);
        child.generation = Long.parseLong(child.await("READY " + nodeId + " ").split(" ")[2]);
        return child;
    }

    /** One child process and the lines it printed, read by a daemon thread. */
    private static final class Child
    {
        private final int nodeId;
        private final Process process;
        private final Path errors;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private long generation;

        Child(final int nodeId, final Process process, final Path errors)
        {
            this.nodeId = nodeId;
            this.process = process;
            this.errors = errors;
            final Thread reader = new Thread(this::read, "membership-child-" + nodeId);
            reader.setDaemon(true);
            reader.start();
        }

        String await(final String prefix)
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EVENT_LIMIT_MS);
            while (true)
            {
                for (final String line : lines)
                {
                    if (line.startsWith(prefix))
                    {
                        return line;
                    }
                }
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new AssertionError("node " + nodeId + " printed no line starting '" + prefix + "' within " +
                        EVENT_LIMIT_MS + " ms; it printed " + lines + (process.isAlive() ? "" :
                        " and exited with " + process.exitValue()) + "; standard error: " + errorText());
                }
                TransportTestSupport.sleepMs(1);
            }
        }

        void command(final String line) throws IOException
        {
            final Writer writer = process.outputWriter(StandardCharsets.US_ASCII);
            writer.write(line);
            writer.write('\n');
            writer.flush();
        }

        private void read()
        {
            try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final IOException ex)
            {
                // The process was killed: its output ends here.
            }
        }

        private String errorText()
        {
            try
            {
                return Files.readString(errors);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
