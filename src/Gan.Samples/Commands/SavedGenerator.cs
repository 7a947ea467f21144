using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

namespace Gan.Samples.Commands;

/// <summary>
/// A model zip loaded the way any ML.NET consumer would (<c>mlContext.Model.Load</c>) and checked to be a generator:
/// one latent vector column in (and a label column for a conditional one), an image-shaped pixel vector out.
/// Disposing it releases the loaded transformers.
/// </summary>
internal sealed class SavedGenerator : IDisposable
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;

    private SavedGenerator(MLContext ml, ITransformer model, DataViewSchema inputSchema, DataViewSchema.Column pixels, DataViewSchema.Column? label, int height, int width)
    {
        _ml = ml;
        _model = model;
        InputSchema = inputSchema;
        Pixels = pixels;
        Label = label;
        Height = height;
        Width = width;
    }

    public DataViewSchema InputSchema { get; }

    /// <summary>The generated pixels column (values in [0, 1]).</summary>
    public DataViewSchema.Column Pixels { get; }

    /// <summary>The label input of a conditional generator (key type), if any.</summary>
    public DataViewSchema.Column? Label { get; }

    public int Height { get; }

    public int Width { get; }

    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a readable model zip, or a model that is not a generator; the message names the file.</exception>
    public static SavedGenerator Load(MLContext ml, FileInfo model)
    {
        if (!model.Exists)
        {
            throw new FileNotFoundException($"Model '{model.FullName}' does not exist; run 'train' first or pass --model.", model.FullName);
        }

        ITransformer loaded;
        DataViewSchema inputSchema;
        try
        {
            loaded = ml.Model.Load(model.FullName, out inputSchema);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidDataException($"Model '{model.FullName}' is not a readable ML.NET model zip: {e.Message}", e);
        }

        try
        {
            return Check(ml, loaded, inputSchema, model.FullName);
        }
        catch
        {
            (loaded as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary><paramref name="count"/> generated rows, lazily (nothing is held but the current row's batch).</summary>
    public IDataView Generate(long count, int seed, LatentDistribution distribution, float latentScale = 1f)
        => _model.Transform(_ml.Gan().SampleLatent(InputSchema, count, seed, distribution, latentScale: latentScale));

    public void Dispose() => (_model as IDisposable)?.Dispose();

    private static SavedGenerator Check(MLContext ml, ITransformer loaded, DataViewSchema inputSchema, string path)
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

        return new SavedGenerator(ml, loaded, inputSchema, pixels[0], others.Length == 1 ? others[0] : null, height, width);
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
