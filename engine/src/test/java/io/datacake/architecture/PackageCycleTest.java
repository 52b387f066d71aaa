package io.datacake.architecture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's packages form a layered graph: reading the import lines of every main source file, no package may
 * reach itself again through its imports (e.g. {@code io.datacake.rpc} must not import {@code io.datacake.node},
 * which imports it).
 */
final class PackageCycleTest
{
    private static final Path MAIN_SOURCES = Path.of("src", "main", "java");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile(
        "^import\\s+(?:static\\s+)?(io\\.datacake(?:\\.[a-z_][\\w]*)*)\\.[A-Z*][\\w.*]*\\s*;", Pattern.MULTILINE);

    @Test
    void theEngineHasNoPackageCycles()
    {
        assertThat(Files.isDirectory(MAIN_SOURCES)).as("run from the engine module: %s", MAIN_SOURCES.toAbsolutePath())
            .isTrue();
        final Map<String, Set<String>> graph = importGraph(MAIN_SOURCES);
        assertThat(graph).containsKeys("io.datacake.rpc", "io.datacake.node");
        assertThat(cycles(graph)).as("package cycles in %s", graph).isEmpty();
    }

    @Test
    void aCycleThroughImportsIsFound(@TempDir final Path root) throws IOException
    {
        write(root, "io/datacake/a/A.java", "package io.datacake.a;\n\nimport io.datacake.b.B;\n\nclass A {}\n");
        write(root, "io/datacake/b/B.java", "package io.datacake.b;\n\nimport static io.datacake.c.C.run;\n\nclass B {}\n");
        write(root, "io/datacake/c/C.java", "package io.datacake.c;\n\nimport io.datacake.a.*;\n\nclass C {}\n");
        write(root, "io/datacake/d/D.java", "package io.datacake.d;\n\nimport io.datacake.a.A;\n\nclass D {}\n");

        final List<List<String>> cycles = cycles(importGraph(root));

        assertThat(cycles).hasSize(1);
        assertThat(cycles.get(0)).containsExactlyInAnyOrder("io.datacake.a", "io.datacake.b", "io.datacake.c");
    }

    private static void write(final Path root, final String file, final String text) throws IOException
    {
        final Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    /**
     * Package to the io.datacake packages its files import (itself excluded).
     */
    static Map<String, Set<String>> importGraph(final Path root)
    {
        final Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root))
        {
            files.filter((path) -> path.toString().endsWith(".java")).forEach((path) ->
            {
                final String text = read(path);
                final Matcher packageMatcher = PACKAGE.matcher(text);
                if (!packageMatcher.find())
                {
                    return;
                }
                final String from = packageMatcher.group(1);
                final Set<String> targets = graph.computeIfAbsent(from, (key) -> new TreeSet<>());
                final Matcher importMatcher = IMPORT.matcher(text);
                while (importMatcher.find())
                {
                    final String to = importMatcher.group(1);
                    if (!to.equals(from))
                    {
                        targets.add(to);
                    }
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return graph;
    }

    /**
     * Strongly connected components of more than one package (Tarjan), each sorted.
     */
    static List<List<String>> cycles(final Map<String, Set<String>> graph)
    {
        final Tarjan tarjan = new Tarjan(graph);
        for (final String node : graph.keySet())
        {
            if (!tarjan.index.containsKey(node))
            {
                tarjan.visit(node);
            }
        }
        return tarjan.cycles;
    }

    private static String read(final Path path)
    {
        try
        {
            return Files.readString(path);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static final class Tarjan
    {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new TreeMap<>();
        private final Map<String, Integer> lowLink = new TreeMap<>();
        private final List<String> stack = new ArrayList<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<List<String>> cycles = new ArrayList<>();
        private int next;

        Tarjan(final Map<String, Set<String>> graph)
        {
            this.graph = graph;
        }

        void visit(final String node)
        {
            index.put(node, next);
            lowLink.put(node, next);
            next++;
            stack.add(node);
            onStack.add(node);
            for (final String target : graph.getOrDefault(node, Set.of()))
            {
                if (!index.containsKey(target))
                {
                    visit(target);
                    lowLink.put(node, Math.min(lowLink.get(node), lowLink.get(target)));
                }
                else if (onStack.contains(target))
                {
                    lowLink.put(node, Math.min(lowLink.get(node), index.get(target)));
                }
            }
            if (lowLink.get(node).equals(index.get(node)))
            {
                final List<String> component = new ArrayList<>();
                String member;
                do
                {
                    member = stack.remove(stack.size() - 1);
                    onStack.remove(member);
                    component.add(member);
                }
                while (!member.equals(node));
                if (component.size() > 1)
                {
                    component.sort(String::compareTo);
                    cycles.add(component);
                }
            }
        }
    }
}
