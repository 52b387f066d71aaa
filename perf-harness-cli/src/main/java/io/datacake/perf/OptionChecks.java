package io.datacake.perf;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks and views of a command's options that the commands share: the same message shape for every bad value
 * ("Invalid value for option '--x': expected ... but was '...'", exit code 2) and the settings as reports list them.
 */
final class OptionChecks
{
    private OptionChecks()
    {
    }

    /**
     * @param spec the command.
     * @return the settings by option name, defaults included, help options left out.
     */
    static Map<String, String> settings(final CommandSpec spec)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        for (final OptionSpec option : spec.options())
        {
            if (!option.usageHelp() && !option.versionHelp())
            {
                final Object value = option.getValue();
                settings.put(option.longestName(), null == value ? "" : String.valueOf(value));
            }
        }
        return settings;
    }

    /**
     * @param spec    the command.
     * @param option  the option's name.
     * @param accepts what it accepts.
     * @param value   the value given.
     * @return the exception naming the option, what it accepts and the value.
     */
    static ParameterException invalid(
        final CommandSpec spec, final String option, final String accepts, final String value)
    {
        return new ParameterException(spec.commandLine(),
            "Invalid value for option '" + option + "': expected " + accepts + " but was '" + value + "'");
    }

    /**
     * @param spec   the command.
     * @param option the option's name.
     * @param value  the value given.
     * @param min    lowest accepted.
     * @param max    highest accepted.
     * @param unit   what the value counts, for the message.
     * @throws ParameterException if the value is outside min..max.
     */
    static void requireRange(
        final CommandSpec spec, final String option, final long value, final long min, final long max, final String unit)
    {
        if (value < min || value > max)
        {
            throw invalid(spec, option, min + ".." + max + " " + unit, String.valueOf(value));
        }
    }

    /**
     * @param spec   the command.
     * @param outDir the {@code --out} directory, or null when not given.
     * @throws ParameterException if it is neither a writable directory nor a new one in an existing directory.
     */
    static void requireOutDir(final CommandSpec spec, final Path outDir)
    {
        if (null == outDir)
        {
            return;
        }
        final Path absolute = outDir.toAbsolutePath();
        if (Files.exists(absolute) ? !Files.isDirectory(absolute) || !Files.isWritable(absolute) :
            null == absolute.getParent() || !Files.isDirectory(absolute.getParent()))
        {
            throw invalid(spec, "--out", "a writable directory, or a new one in an existing directory",
                outDir.toString());
        }
    }
}
