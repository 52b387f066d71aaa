package io.datacake.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Keeps the README's Java quick start honest: every code block marked
 * {@code <!-- compiled and run by ReadmeQuickStartTest: name -->} is extracted from the repository's README.md,
 * compiled with the system Java compiler against the test class path (wrapped in a class with the imports the
 * README names) and run; what it prints is compared with what the README's comments promise.
 */
final class ReadmeQuickStartTest
{
    private static final Pattern BLOCK = Pattern.compile(
        "<!-- compiled and run by ReadmeQuickStartTest: (\\w+) -->\\R```java\\R(.*?)```", Pattern.DOTALL);
    private static final String IMPORTS =
        "import io.datacake.membership.*;\n" +
        "import io.datacake.node.*;\n" +
        "import io.datacake.storage.*;\n" +
        "import io.datacake.store.*;\n" +
        "import io.datacake.transport.*;\n" +
        "import java.util.*;\n" +
        "import static java.nio.charset.StandardCharsets.UTF_8;\n";
    private static final Duration RUN_DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void theReadmeHoldsBothQuickStartBlocks() throws IOException
    {
        assertThat(readmeBlocks()).containsOnlyKeys("singleNode", "threeNodes");
    }

    @Test
    void theSingleNodeQuickStartCompilesAndRuns() throws Exception
    {
        assertThat(run("singleNode")).isEqualTo("hello\nnull\n");
    }

    @Test
    void theThreeNodeQuickStartCompilesAndRuns() throws Exception
    {
        assertThat(run("threeNodes")).isEqualTo("1: seven\n2: seven\n3: seven\n");
    }

    private String run(final String name) throws Exception
    {
        final String block = readmeBlocks().get(name);
        assertThat(block).as("README block '%s'", name).isNotNull();
        final String className = "Readme_" + name;
        final String source = IMPORTS + "\npublic final class " + className + "\n{\n" +
            "    public static void run() throws Exception\n    {\n" + block + "\n    }\n}\n";
        final Path sourceFile = work.resolve(className + ".java");
        Files.writeString(sourceFile, source);
        final Path classes = Files.createDirectories(work.resolve("classes"));

        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertThat(compiler).as("a JDK with javax.tools").isNotNull();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, diagnostics, diagnostics, "-proc:none", "-Xlint:none",
            "-classpath", testClassPath(), "-d", classes.toString(), sourceFile.toString());
        assertThat(status).as("README block '%s' compiles:%n%s%n%s", name,
            diagnostics.toString(StandardCharsets.UTF_8), source).isZero();

        final PrintStream originalOut = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(
            new URL[]{classes.toUri().toURL()}, ReadmeQuickStartTest.class.getClassLoader()))
        {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertTimeoutPreemptively(RUN_DEADLINE, () -> invoke(loader.loadClass(className)));
        }
        finally
        {
            System.setOut(originalOut);
        }
        return printed.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    private static void invoke(final Class<?> type) throws Throwable
    {
        try
        {
            type.getMethod("run").invoke(null);
        }
        catch (final InvocationTargetException ex)
        {
            throw ex.getCause();
        }
    }

    private static Map<String, String> readmeBlocks() throws IOException
    {
        final Matcher matcher = BLOCK.matcher(Files.readString(readme(), StandardCharsets.UTF_8));
        final Map<String, String> blocks = new LinkedHashMap<>();
        while (matcher.find())
        {
            assertThat(blocks.put(matcher.group(1), matcher.group(2))).as("one block named %s", matcher.group(1))
                .isNull();
        }
        return blocks;
    }

    /**
     * The repository's README: the module's parent directory when run by Maven, found upwards otherwise.
     */
    private static Path readme()
    {
        for (Path dir = Path.of("").toAbsolutePath(); null != dir; dir = dir.getParent())
        {
            final Path candidate = dir.resolve("README.md");
            if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("engine")))
            {
                return candidate;
            }
        }
        throw new IllegalStateException("README.md of the repository not found above " + Path.of("").toAbsolutePath());
    }

    /**
     * Surefire runs tests from a manifest-only jar and names the real class path in a property of its own.
     */
    private static String testClassPath()
    {
        final String surefire = System.getProperty("surefire.test.class.path");
        return null != surefire && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
