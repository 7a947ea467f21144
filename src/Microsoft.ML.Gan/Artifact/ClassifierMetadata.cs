using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Gan.Input;
using Microsoft.ML.Gan.Networks;

namespace Microsoft.ML.Gan.Artifact;

/// <summary>How a semi-supervised classifier was trained, in a few numbers.</summary>
/// <param name="Rows">Training rows, labelled and unlabelled.</param>
/// <param name="LabelledRows">Rows with a label.</param>
/// <param name="Steps">Training steps.</param>
/// <param name="Seed">The seed training used.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation rows after the last epoch, when there were any.</param>
/// <param name="Network">The saved classifier's network (<see cref="SemiSupervisedNetwork.Mlp"/> for zips written before the choice existed).</param>
/// <param name="SelfTrainingEpochs">Epochs of self-training after the GAN (0 for zips written before it existed).</param>
/// <param name="PseudoLabelledRows">Unlabelled rows the saved student learned with its teacher's classes (0 without self-training).</param>
/// <param name="SelfTrainingRounds">Rounds of self-training, each of <paramref name="SelfTrainingEpochs"/> (1 for zips written before rounds existed).</param>
/// <param name="StudentConsistency">Whether the student also learned the unlabelled rows by consistency (false for zips written before the option existed).</param>
/// <param name="StudentStrongAugmentation">The strong view of the student's consistency term; null without the term
/// (<see cref="ConsistencyAugmentation.AffineAndCutOut"/> for zips with the term written before the choice existed).</param>
/// <param name="ConsistencyWeight">The weight of the GAN's consistency term; null in zips written before it was recorded.</param>
/// <param name="ConsistencyStartShare">The share of the GAN's budget trained before its consistency term started (0 for zips
/// written before it was recorded: they were trained with the term from the first step, or in the few builds that had the
/// option without recording it, with the share asked for).</param>
/// <param name="PropagateLabels">Whether the student's classes combined the GAN's classifier with label propagation (false for
/// zips written before the option existed).</param>
/// <param name="StudentChannels">Channels of the student's convolutions; null without a student (32 for zips with a student
/// written before the option existed).</param>
internal sealed record ClassifierTraining(int Rows, int LabelledRows, int Steps, int Seed, double? ValidationAccuracy, SemiSupervisedNetwork Network,
    int SelfTrainingEpochs = 0, int PseudoLabelledRows = 0, int SelfTrainingRounds = 1, bool StudentConsistency = false,
    ConsistencyAugmentation? StudentStrongAugmentation = null, float? ConsistencyWeight = null, float ConsistencyStartShare = 0,
    bool PropagateLabels = false, int? StudentChannels = null);

/// <summary>
/// What a semi-supervised classifier's ONNX graph says about itself in its <c>metadata_props</c>, so a zip knows what it is.
/// </summary>
/// <remarks>
/// Keys start with <c>gan.</c>; values are invariant-culture text.
/// <list type="table">
/// <item><term>kind</term><description><c>semi-supervised-classifier</c> (a generator's graph says <c>generator</c>, or nothing when written before generator format 2)</description></item>
/// <item><term>format_version, minimum_reader_version</term><description>the version this graph was written with (1) and the oldest
/// reader version that reads it correctly (1); a reader refuses a graph whose minimum is above its own version, naming both</description></item>
/// <item><term>library_version</term><description>the writing library's informational version</description></item>
/// <item><term>pixels.column, pixels.storage, pixels.dimensions, pixels.max_value</term><description>the input column as trained</description></item>
/// <item><term>label.column, label.class_count, label.key_values</term><description>the label column, its classes, and its key names
/// as a JSON array of text (what the predicted label's key values are)</description></item>
/// <item><term>output.score_column, output.predicted_label_column</term><description>the columns scoring adds</description></item>
/// <item><term>training.rows, training.labelled_rows, training.steps, training.seed, training.validation_accuracy, training.network,
/// training.self_training_epochs, training.pseudo_labelled_rows, training.self_training_rounds, training.student_consistency,
/// training.student_strong_augmentation, training.consistency_weight, training.consistency_start_share,
/// training.propagate_labels, training.student_channels</term><description>the
/// training summary (steps: the GAN's; self-training's epochs and rows read as 0 when absent, in zips written before
/// self-training, its rounds as 1, in zips written before rounds, the student's consistency term as false, in zips written
/// before it; the term's strong view is written only with the term, and read as AffineAndCutOut when the term is there
/// without it, in zips written before the choice; the GAN's consistency weight reads as unknown and its start as 0 in zips
/// written before they were recorded, label propagation as false in zips written before it; the student's channels are
/// written only with a student, and read as 32 in zips with one written before they were recorded)</description></item>
/// </list>
/// </remarks>
internal sealed record ClassifierMetadata(
    string LibraryVersion,
    PixelColumn Pixels,
    string LabelColumnName,
    IReadOnlyList<string> KeyValues,
    string ScoreColumnName,
    string PredictedLabelColumnName,
    ClassifierTraining Training)
{
    public const string Kind = "semi-supervised-classifier";
    public const int FormatVersion = 1;
    public const int MinimumReaderVersion = 1;
    private const string Prefix = MetadataReader.Prefix;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public int ClassCount => KeyValues.Count;

    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var properties = new Dictionary<string, string>
        {
            ["kind"] = Kind,
            ["format_version"] = FormatVersion.ToString(Invariant),
            ["minimum_reader_version"] = MinimumReaderVersion.ToString(Invariant),
            ["library_version"] = LibraryVersion,
            ["pixels.column"] = Pixels.Name,
            ["pixels.storage"] = Pixels.Storage.ToString(),
            ["pixels.dimensions"] = string.Join(" x ", Pixels.Dimensions),
            ["pixels.max_value"] = Pixels.MaxValue.ToString("R", Invariant),
            ["image.shape"] = $"{Pixels.Shape.Channels} x {Pixels.Shape.Height} x {Pixels.Shape.Width}",
            ["label.column"] = LabelColumnName,
            ["label.class_count"] = ClassCount.ToString(Invariant),
            ["label.key_values"] = JsonSerializer.Serialize(KeyValues),
            ["output.score_column"] = ScoreColumnName,
            ["output.predicted_label_column"] = PredictedLabelColumnName,
            ["training.rows"] = Training.Rows.ToString(Invariant),
            ["training.labelled_rows"] = Training.LabelledRows.ToString(Invariant),
            ["training.steps"] = Training.Steps.ToString(Invariant),
            ["training.seed"] = Training.Seed.ToString(Invariant),
            ["training.network"] = Training.Network.ToString(),
            ["training.self_training_epochs"] = Training.SelfTrainingEpochs.ToString(Invariant),
            ["training.pseudo_labelled_rows"] = Training.PseudoLabelledRows.ToString(Invariant),
            ["training.self_training_rounds"] = Training.SelfTrainingRounds.ToString(Invariant),
            ["training.student_consistency"] = Training.StudentConsistency ? "true" : "false",
            ["training.consistency_start_share"] = Training.ConsistencyStartShare.ToString("R", Invariant),
            ["training.propagate_labels"] = Training.PropagateLabels ? "true" : "false",
        };
        if (Training.ConsistencyWeight is float weight)
        {
            properties["training.consistency_weight"] = weight.ToString("R", Invariant);
        }

        if (Training.StudentStrongAugmentation is ConsistencyAugmentation view)
        {
            properties["training.student_strong_augmentation"] = view.ToString();
        }

        if (Training.StudentChannels is int channels)
        {
            properties["training.student_channels"] = channels.ToString(Invariant);
        }

        if (Training.ValidationAccuracy is double accuracy)
        {
            properties["training.validation_accuracy"] = accuracy.ToString("R", Invariant);
        }

        return properties.ToDictionary(p => Prefix + p.Key, p => p.Value);
    }

    /// <exception cref="InvalidDataException">Not a classifier's metadata, written for a newer reader, or a value that does not parse; names <paramref name="source"/>.</exception>
    public static ClassifierMetadata FromProperties(IReadOnlyDictionary<string, string> properties, string source)
    {
        var reader = new MetadataReader(properties, source, "a Microsoft.ML.Gan classifier's metadata");
        string kind = reader.Has("kind") ? reader.Text("kind") : "generator";
        if (kind != Kind)
        {
            throw new InvalidDataException($"{source} holds a {kind}, not a {Kind}.");
        }

        int minimum = reader.Int("minimum_reader_version");
        if (minimum > FormatVersion)
        {
            throw new InvalidDataException(
                $"{source} was written by Microsoft.ML.Gan {reader.Text("library_version")} in classifier format {reader.Int("format_version")}, which needs a reader of version " +
                $"{minimum} or later; this Microsoft.ML.Gan ({GeneratorMetadata.CurrentLibraryVersion}) reads up to version {FormatVersion}. Update Microsoft.ML.Gan to load it.");
        }

        PixelColumn pixels = reader.Pixels();
        string[] keyValues;
        try
        {
            keyValues = JsonSerializer.Deserialize<string[]>(reader.Text("label.key_values")) ?? throw reader.Bad("label.key_values", "expected a JSON array of text");
        }
        catch (JsonException e)
        {
            throw reader.Bad("label.key_values", $"expected a JSON array of text ({e.Message})");
        }

        int classes = reader.Int("label.class_count");
        if (keyValues.Length != classes)
        {
            throw reader.Bad("label.key_values", $"expected {classes} key values, one per class ('{MetadataReader.Prefix}label.class_count')");
        }

        bool studentConsistency = reader.Has("training.student_consistency") && reader.Bool("training.student_consistency");
        ConsistencyAugmentation? studentView = !studentConsistency ? null
            : reader.EnumOr("training.student_strong_augmentation", ConsistencyAugmentation.AffineAndCutOut);
        int selfTrainingEpochs = reader.IntOr("training.self_training_epochs", 0);
        int? studentChannels = selfTrainingEpochs == 0 ? null : reader.IntOr("training.student_channels", CnnSemiSupervisedDiscriminator.DefaultChannels);
        var training = new ClassifierTraining(reader.Int("training.rows"), reader.Int("training.labelled_rows"), reader.Int("training.steps"), reader.Int("training.seed"),
            reader.DoubleOrNull("training.validation_accuracy"), reader.EnumOr("training.network", SemiSupervisedNetwork.Mlp),
            selfTrainingEpochs, reader.IntOr("training.pseudo_labelled_rows", 0), reader.IntOr("training.self_training_rounds", 1),
            studentConsistency, studentView, (float?)reader.DoubleOrNull("training.consistency_weight"),
            (float)(reader.DoubleOrNull("training.consistency_start_share") ?? 0),
            reader.Has("training.propagate_labels") && reader.Bool("training.propagate_labels"), studentChannels);
        return new ClassifierMetadata(reader.Text("library_version"), pixels, reader.Text("label.column"), keyValues, reader.Text("output.score_column"),
            reader.Text("output.predicted_label_column"), training);
    }
}
