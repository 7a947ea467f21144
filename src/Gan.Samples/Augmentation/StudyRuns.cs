using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gan.Samples.Reporting;

namespace Gan.Samples.Augmentation;

/// <summary>Everything one run (a regime and a seed) of the study measured, and the plan it was measured with.</summary>
internal sealed record StudyRunRecord(int Format, StudyPlan Plan, int Regime, int Seed, double Seconds, List<Measurement> Measurements, List<GanRun> Gans,
    List<SemiSupervisedRun> SemiSupervised, List<string> Notes);

/// <summary>
/// The finished runs of a study, one JSON file per run in a folder, so a study stopped by the user or the machine (the full
/// one runs for hours) goes on where it stopped when the same command is given again. A run is reused only when it was
/// measured with exactly the same plan; anything else is measured again and its file replaced.
/// </summary>
internal sealed class StudyRuns(string directory, StudyPlan plan)
{
    /// <summary>
    /// What a run measures, as a number: raise it with any change that makes a run measure something else for the same plan
    /// (another draw, another arm, another recipe), so that runs kept before it are measured again rather than reused.
    /// </summary>
    internal const int Format = 4;

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,   // NaN marks what a run could not measure
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly JsonSerializerOptions Indented = new(Json) { WriteIndented = true };

    private readonly string _plan = JsonSerializer.Serialize(plan, Json);

    public string Directory => directory;

    /// <summary>The kept runs of this plan, in file-name order; files of other plans or that do not parse are passed over.</summary>
    public IReadOnlyList<StudyRunRecord> Load()
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        var runs = new List<StudyRunRecord>();
        foreach (string file in System.IO.Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            StudyRunRecord? run;
            try
            {
                run = JsonSerializer.Deserialize<StudyRunRecord>(File.ReadAllText(file), Json);
            }
            catch (JsonException)
            {
                continue;   // a damaged file is measured again
            }

            if (run is not null && run.Format == Format && JsonSerializer.Serialize(run.Plan, Json) == _plan && plan.Regimes.Contains(run.Regime) && plan.Seeds.Contains(run.Seed) && Path.GetFileName(file) == FileName(run.Regime, run.Seed))
            {
                runs.Add(run);
            }
        }

        return runs;
    }

    public void Save(int regime, int seed, double seconds, List<Measurement> measurements, List<GanRun> gans, List<SemiSupervisedRun> semiSupervised, List<string> notes)
    {
        System.IO.Directory.CreateDirectory(directory);
        var run = new StudyRunRecord(Format, plan, regime, seed, seconds, measurements, gans, semiSupervised, notes);
        ReportFile.Write(Path.Combine(directory, FileName(regime, seed)), JsonSerializer.Serialize(run, Indented));
    }

    private static string FileName(int regime, int seed) => string.Create(CultureInfo.InvariantCulture, $"{regime}-labels-seed-{seed}.json");
}
