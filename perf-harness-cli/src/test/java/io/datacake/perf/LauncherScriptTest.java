package io.datacake.perf;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code perf-harness} launcher at the repository root, run by bash on a copy of the repository's layout: a
 * jar that points at this JVM's class path stands in for the shaded jar, and a stub {@code mvn} on the PATH records
 * whether (and how) the script builds.
 */
@DisabledOnOs(OS.WINDOWS)
class LauncherScriptTest
{
    private static final FileTime OLD = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    private static final FileTime NEW = FileTime.from(Instant.parse("2024-01-01T00:00:00Z"));

    @TempDir
    Path repo;

    private Path jar;
    private Path source;
    private Path mvnCalls;
    private Path stubBin;

    @BeforeEach
    void copyTheRepositoryLayout() throws IOException
    {
        final Path script = Path.of("..", "perf-harness").toAbsolutePath().normalize();
        Files.copy(script, repo.resolve("perf-harness"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        source = repo.resolve("engine/src/main/java/Example.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Example {}");
        Files.createDirectories(repo.resolve("perf-harness-cli/target"));
        jar = repo.resolve("perf-harness-cli/target/perf-harness.jar");
        writeJarOnThisClassPath(jar);

        stubBin = Files.createDirectory(repo.resolve("stub-bin"));
        mvnCalls = repo.resolve("mvn-calls");
    }

    @Test
    void runsTheJarWithoutBuildingWhenItIsNewerThanTheSources() throws Exception
    {
        stubMvn(0);
        Files.setLastModifiedTime(source, OLD);
        Files.setLastModifiedTime(repo.resolve("pom.xml"), OLD);
        Files.setLastModifiedTime(jar, NEW);

        final Run run = runScript("run", "--help");

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("Usage: perf-harness run").contains("--in-flight=<ops>");
        assertThat(mvnCalls).doesNotExist();
    }

    @Test
    void buildsOnceOfflineWhenASourceIsNewerThanTheJar() throws Exception
    {
        stubMvn(0);
        Files.setLastModifiedTime(jar, OLD);
        Files.setLastModifiedTime(source, NEW);

        final Run run = runScript("--help");

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("building").contains("Usage: perf-harness");
        assertThat(Files.readAllLines(mvnCalls)).singleElement().asString()
            .contains("-B -q -DskipTests package -pl perf-harness-cli -am").endsWith(" -o");
    }

    @Test
    void retriesOnlineThenExitsWithTheBuildOutputWhenTheBuildFails() throws Exception
    {
        stubMvn(1);
        Files.delete(jar);

        final Run run = runScript("run");

        assertThat(run.exitCode).isEqualTo(1);
        final List<String> calls = Files.readAllLines(mvnCalls);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).endsWith(" -o");
        assertThat(calls.get(1)).doesNotContain(" -o");
        assertThat(run.output).contains("stub build output").contains("the build failed");
    }

    private void stubMvn(final int exitCode) throws IOException
    {
        final Path mvn = stubBin.resolve("mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\necho \"$*\" >> '" + mvnCalls + "'\necho stub build output\n" +
            "exit " + exitCode + "\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run runScript(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("bash", repo.resolve("perf-harness").toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", stubBin + ":" + System.getenv("PATH"));
        try (ChildJvm child = new ChildJvm(builder.command(), repo, builder.environment()))
        {
            final List<String> output = child.awaitExit();
            return new Run(child.process().exitValue(), String.join("\n", output));
        }
    }

    /**
     * A jar with no classes whose manifest runs {@link PerfHarness} from this JVM's class path.
     */
    private static void writeJarOnThisClassPath(final Path jar) throws IOException
    {
        final StringBuilder classPath = new StringBuilder();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        {
            classPath.append(Path.of(entry).toUri()).append(' ');
        }
        final Manifest manifest = new Manifest();
        final Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, PerfHarness.class.getName());
        attributes.put(Attributes.Name.CLASS_PATH, classPath.toString().trim());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest))
        {
            jarOut.flush();
        }
    }

    private record Run(int exitCode, String output)
    {
    }
}
