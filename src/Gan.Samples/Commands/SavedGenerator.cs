using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// A model zip for <c>generate</c> and <c>evaluate</c>. A zip saved by this Microsoft.ML.Gan is loaded with
/// <c>mlContext.Gan().LoadGenerator</c>, which knows the generator's latent distribution and classes; an explicit
/// <c>--latent-distribution</c> that disagrees with it is an error naming both. A zip saved by an earlier version
/// (only the ML.NET chain, no generator entries) is loaded the way any ML.NET consumer would (<c>mlContext.Model.Load</c>)
/// and checked to be a generator: one latent vector column in (and a key-typed label column for a conditional one), an
/// image-shaped pixel vector out. Such a zip does not record its latent distribution, so <c>--latent-distribution</c> is
/// required for it. Disposing this releases the loaded model.
/// </summary>
internal sealed class SavedGenerator : IDisposable
{
    private readonly MLContext _ml;
    private readonly GanTransformer? _gan;
    private readonly ITransformer? _chain;

    private SavedGenerator(MLContext ml, GanTransformer? gan, ITransformer? chain, DataViewSchema inputSchema, string pixels, DataViewSchema.Column? label,
        int classCount, int height, int width, LatentDistribution distribution)
    {
        _ml = ml;
        _gan = gan;
        _chain = chain;
        InputSchema = inputSchema;
        PixelsColumnName = pixels;
        Label = label;
        ClassCount = classCount;
        Height = height;
        Width = width;
        Distribution = distribution;
    }

    public DataViewSchema InputSchema { get; }

    /// <summary>The generated pixels column (values in [0, 1]).</summary>
    public string PixelsColumnName { get; }

    /// <summary>The label input of a conditional generator, if any.</summary>
    public DataViewSchema.Column? Label { get; }

    /// <summary>Classes of a conditional generator; 0 otherwise.</summary>
    public int ClassCount { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>The latent distribution generation uses: the model's own, or for an earlier zip the one passed.</summary>
    public LatentDistribution Distribution { get; }

    /// <summary>Whether the zip described itself (else it was an earlier zip loaded with mlContext.Model.Load).</summary>
    public bool SelfDescribing => _gan is not null;

    /// <param name="ml">The context to load into.</param>
    /// <param name="model">The zip.</param>
    /// <param name="requested">The --latent-distribution value, null when not given.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a readable model zip, or a model that is not a generator; the message names the file.</exception>
    /// <exception cref="ArgumentException">--latent-distribution disagrees with the model, or is missing for an earlier zip.</exception>
    public static SavedGenerator Load(MLContext ml, FileInfo model, LatentDistribution? requested)
    {
        if (!model.Exists)
        {
            throw new FileNotFoundException($"Model '{model.FullName}' does not exist; run 'train' first or pass --model.", model.FullName);
        }

        GanTransformer gan;
        try
        {
            gan = ml.Gan().LoadGenerator(model.FullName);
        }
        catch (InvalidDataException notSelfDescribing) when (!HasGeneratorEntry(model))
        {
            // Only a zip without the generator entry is of the earlier format; one that has it and fails is damaged or
            // altered, and its own message says how.
            return LoadEarlierFormat(ml, model, requested, notSelfDescribing);
        }

        if (requested is LatentDistribution given && given != gan.LatentDistribution)
        {
            gan.Dispose();
            throw new ArgumentException(
                $"--latent-distribution {given} disagrees with model '{model.FullName}', which was trained with {gan.LatentDistribution} latent vectors; " +
                "leave the option out to use the model's.");
        }

        DataViewSchema inputs = ml.Gan().Data.SampleLatent(gan, 0, 0).Schema;
        (int height, int width) = (gan.ImageShape.Height, gan.ImageShape.Width);
        return new SavedGenerator(ml, gan, null, inputs, gan.GeneratedPixelsColumnName, gan.LabelColumnName is string label ? inputs[label] : null,
            gan.ClassCount, height, width, gan.LatentDistribution);
    }

    private static bool HasGeneratorEntry(FileInfo model)
    {
        try
        {
            using System.IO.Compression.ZipArchive zip = System.IO.Compression.ZipFile.OpenRead(model.FullName);
            return zip.GetEntry("Gan/generator.onnx") is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static SavedGenerator LoadEarlierFormat(MLContext ml, FileInfo model, LatentDistribution? requested, InvalidDataException notSelfDescribing)
    {
        ITransformer loaded;
        DataViewSchema inputSchema;
        try
        {
            loaded = ml.Gan().ReadOnnxFilesAsOnnx().Model.Load(model.FullName, out inputSchema);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"Model '{model.FullName}' is not a readable ML.NET model zip: {e.Message}", e);
        }

        try
        {
            SavedGenerator checkedModel = Check(ml, loaded, inputSchema, model.FullName, requested ?? LatentDistribution.Uniform);
            if (requested is null)
            {
                throw new ArgumentException(
                    $"Model '{model.FullName}' does not record its latent distribution: pass --latent-distribution with the one it was trained with " +
                    $"(Uniform or Normal). Why: {notSelfDescribing.Message}");
            }

            return checkedModel;
        }
        catch
        {
            (loaded as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary><paramref name="count"/> generated rows (labels round robin when conditional), lazily.</summary>
    public IDataView Generate(long count, int seed, float latentScale = 1f)
        => _gan is not null
            ? _gan.Transform(_ml.Gan().Data.SampleLatent(_gan, count, seed, latentScale: latentScale))
            : _chain!.Transform(_ml.Gan().Data.SampleLatent(InputSchema, count, seed, Distribution, latentScale: latentScale));

    /// <summary>
    /// <see cref="GanTransformer.GenerateTrainingRows"/> of the loaded model (labelled rows in the training schema, optionally filtered).
    /// </summary>
    /// <exception cref="InvalidOperationException">The zip was written by an earlier version (the library refuses an unconditional one).</exception>
    public IDataView GenerateTrainingRows(long count, int seed, SyntheticRowOptions options)
        => (_gan ?? throw new InvalidOperationException(
                "Labelled training rows need a model zip written by this version of Microsoft.ML.Gan (save the trained GanTransformer again)."))
            .GenerateTrainingRows(count, seed, options: options);

    public void Dispose()
    {
        _gan?.Dispose();
        (_chain as IDisposable)?.Dispose();
    }

    private static SavedGenerator Check(MLContext ml, ITransformer loaded, DataViewSchema inputSchema, string path, LatentDistribution distribution)
    {
        DataViewSchema.Column[] inputs = inputSchema.Where(c => !c.IsHidden).ToArray();
        DataViewSchema.Column[] vectors = inputs.Where(c => c.Type is VectorDataViewType { ItemType: NumberDataViewType n, Size: > 0 } && n == NumberDataViewType.Single).ToArray();
        DataViewSchema.Column[] others = inputs.Except(vectors).ToArray();
        DataViewSchema output;
        try
        {
            output = loaded.GetOutputSchema(inputSchema);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw NotAGenerator(path, inputs, e.Message);
        }

        DataViewSchema.Column[] pixels = output.Where(c => !c.IsHidden && inputs.All(i => i.Name != c.Name)
            && c.Type is VectorDataViewType { ItemType: NumberDataViewType item, IsKnownSize: true } && item == NumberDataViewType.Single).ToArray();
        if (vectors.Length != 1 || others.Length > 1 || (others.Length == 1 && others[0].Type is not KeyDataViewType) || pixels.Length != 1)
        {
            throw NotAGenerator(path, inputs, null);
        }

        var dimensions = ((VectorDataViewType)pixels[0].Type).Dimensions;
        (int height, int width) = dimensions.Length >= 2 ? (dimensions[^2], dimensions[^1]) : Square(dimensions[0]);
        if (height * width == 0)
        {
            throw NotAGenerator(path, inputs, $"its output '{pixels[0].Name}' ({pixels[0].Type}) is not an image");
        }

        DataViewSchema.Column? label = others.Length == 1 ? others[0] : null;
        return new SavedGenerator(ml, null, loaded, inputSchema, pixels[0].Name, label, label?.Type is KeyDataViewType key ? (int)key.Count : 0, height, width, distribution);
    }

    private static (int, int) Square(int size)
    {
        int side = (int)Math.Round(Math.Sqrt(size));
        return side * side == size ? (side, side) : (0, 0);
    }

    private static InvalidDataException NotAGenerator(string path, DataViewSchema.Column[] inputs, string? detail)
        => new($"Model '{path}' is an ML.NET model but not a Microsoft.ML.Gan generator{(detail is null ? "" : $" ({detail})")}: it takes " +
            $"{(inputs.Length == 0 ? "no columns" : string.Join(", ", inputs.Select(c => $"{c.Name} ({c.Type})")))}; a generator takes one Vector<Single> latent column " +
            "(and a key-typed label column when conditional) and makes one image-shaped Vector<Single> column.");
}
