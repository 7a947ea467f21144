using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// What a checkpoint was written for, derived from the <see cref="TrainingPlan"/> so that no setting has to be listed twice:
/// <see cref="Identity"/> holds every plan setting that is not <see cref="NotInCheckpointAttribute"/> or
/// <see cref="ResumeMayChangeAttribute"/>, plus the data and the seed, and must match to resume; <see cref="Tunables"/> holds the
/// settings a resumed run may change. <see cref="RunId"/>, a hash of the identity, ties checkpoint files to one run.
/// </summary>
internal sealed record CheckpointHeader(int FormatVersion, JsonObject Identity, JsonObject Tunables, int CompletedEpochs, int? EpochStep, string RunId)
{
    /// <summary>The header of <paramref name="plan"/>'s run on the rows <paramref name="data"/> describes (<see cref="GanRows.Describe"/>) from <paramref name="seed"/>.</summary>
    public static CheckpointHeader For(TrainingPlan plan, JsonObject data, int seed, int completedEpochs, int? epochStep)
    {
        var identity = new JsonObject();
        var tunables = new JsonObject();
        Describe(plan, identity, tunables);
        identity["Data"] = data;
        identity["Seed"] = seed;
        return new CheckpointHeader(Checkpoint.FormatVersion, identity, tunables, completedEpochs, epochStep, RunIdOf(identity));
    }

    /// <summary>The seed the run started from.</summary>
    public int Seed => Identity["Seed"]!.GetValue<int>();

    /// <summary>"Mlp, seed 1": what a person recognises a run by.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Identity["Networks"]?["Architecture"]?["Kind"]?.GetValue<string>() ?? "?"}, seed {Seed}");

    /// <summary>A hash of the identity (canonical JSON): equal for two runs exactly when a checkpoint of one can resume the other.</summary>
    public static string RunIdOf(JsonObject identity)
        => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(identity)))[..16];

    /// <summary>The identity settings on which <paramref name="saved"/> and <paramref name="current"/> differ, as "Path: checkpoint X, now Y".</summary>
    public static IReadOnlyList<string> Differences(CheckpointHeader saved, CheckpointHeader current)
    {
        List<string> differences = Compare(Flatten(saved.Identity), Flatten(current.Identity), (path, before, after) => $"{path}: checkpoint {before}, now {after}");
        // Another kind of network or loss: its kind is the difference, not each setting the two kinds do not share.
        string[] kinds = [.. differences.Where(d => d.Split(':')[0].EndsWith(".Kind", StringComparison.Ordinal)).Select(d => d.Split(':')[0][..^"Kind".Length])];
        differences.RemoveAll(d => kinds.Any(kind => d.StartsWith(kind, StringComparison.Ordinal) && !d.StartsWith(kind + "Kind:", StringComparison.Ordinal)));
        if (saved.EpochStep is not null && Flatten(saved.Tunables).GetValueOrDefault("Step.BatchSize") is string before
            && Flatten(current.Tunables).GetValueOrDefault("Step.BatchSize") is string after && before != after)
        {
            differences.Add($"Step.BatchSize: checkpoint {before}, now {after} (a checkpoint written mid-epoch continues that epoch's batches)");
        }

        return differences;
    }

    /// <summary>The tunable settings a resumed run changed (allowed, and logged), as "Path: X → Y".</summary>
    public static IReadOnlyList<string> Changes(CheckpointHeader saved, CheckpointHeader current)
        => Compare(Flatten(saved.Tunables), Flatten(current.Tunables), (path, before, after) => $"{path}: {before} → {after}");

    private static List<string> Compare(Dictionary<string, string> before, Dictionary<string, string> after, Func<string, string, string, string> describe)
        => before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(path => (Path: path, Before: before.GetValueOrDefault(path) ?? "none", After: after.GetValueOrDefault(path) ?? "none"))
            .Where(setting => setting.Before != setting.After)
            .Select(setting => describe(setting.Path, setting.Before, setting.After))
            .ToList();

    /// <summary>"Networks.Architecture.HiddenSize" → "32": every leaf of a JSON tree by its path.</summary>
    private static Dictionary<string, string> Flatten(JsonNode? node, string path = "", Dictionary<string, string>? into = null)
    {
        into ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj)
        {
            foreach ((string name, JsonNode? child) in obj)
            {
                Flatten(child, path.Length == 0 ? name : $"{path}.{name}", into);
            }
        }
        else
        {
            into[path] = node is JsonValue leaf && leaf.TryGetValue(out string? text) ? text : node?.ToJsonString() ?? "none";
        }

        return into;
    }

    /// <summary>
    /// Writes <paramref name="value"/>'s settable properties into <paramref name="identity"/>, or into <paramref name="tunables"/>
    /// when marked <see cref="ResumeMayChangeAttribute"/> (or inside one so marked), skipping those marked
    /// <see cref="NotInCheckpointAttribute"/>. Nested settings become nested objects in either tree; an object whose type varies
    /// (a network's or a loss's options) records its kind in the identity.
    /// </summary>
    private static void Describe(object value, JsonObject identity, JsonObject tunables, bool tunable = false)
    {
        foreach (PropertyInfo property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            if (property.IsDefined(typeof(NotInCheckpointAttribute)))
            {
                continue;
            }

            bool mayChange = tunable || property.IsDefined(typeof(ResumeMayChangeAttribute));
            object? setting = property.GetValue(value);
            JsonNode? leaf = Leaf(setting, property.PropertyType);
            if (leaf is not null || setting is null)
            {
                (mayChange ? tunables : identity)[property.Name] = leaf;
                continue;
            }

            var nestedIdentity = new JsonObject();
            var nestedTunables = new JsonObject();
            if (setting.GetType() != property.PropertyType || property.PropertyType.IsAbstract)
            {
                nestedIdentity["Kind"] = setting switch
                {
                    GanNetworkOptions network => network.Architecture.ToString(),
                    CtganNetworkOptions => "Ctgan",
                    TvaeNetworkOptions => "Tvae",
                    GanLossOptions loss => loss.Kind.ToString(),
                    _ => setting.GetType().Name,
                };
            }

            Describe(setting, nestedIdentity, nestedTunables, mayChange);
            if (nestedIdentity.Count > 0)
            {
                identity[property.Name] = nestedIdentity;
            }

            if (nestedTunables.Count > 0)
            {
                tunables[property.Name] = nestedTunables;
            }
        }
    }

    /// <summary>A setting that is one value (a number, a name, a flag), as JSON; null for a setting made of settings.</summary>
    private static JsonNode? Leaf(object? value, Type declared) => value switch
    {
        string or bool or int or long or float or double => JsonValue.Create(value),
        Enum => JsonValue.Create(value.ToString()),
        IEnumerable => throw new NotSupportedException($"A checkpoint records settings, not collections ({declared.Name})."),
        _ => null,
    };
}
