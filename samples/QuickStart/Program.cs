// Train the source article's GAN on MNIST, save it, load it back and write 64 generated digits as a PNG.
// Run: dotnet run --project samples/QuickStart -c Release -- 5     (the argument is the number of epochs)
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
using ILoggerFactory loggers = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
ILogger logger = loggers.CreateLogger("QuickStart");

var ml = new MLContext(seed: 1);
IDataView train = ml.Gan().Data.LoadMnist(MnistSplit.Train);        // Label: Key<UInt32, 0-9>, Pixels: Vector<Single, 28, 28>; downloaded once

var options = new GanOptions { Budget = TrainingBudget.OfEpochs(epochs), Logger = logger }; // every other default is the article's
using (GanTransformer gan = ml.Gan().Generator(options).Fit(train))
{
    GanEpochSummary last = gan.History.Epochs[^1];
    Console.WriteLine($"Epoch {last.Epoch}: d_loss {last.DiscriminatorLoss:F4}, g_loss {last.GeneratorLoss:F4}");
    gan.Save("mnist-gan.zip");                                   // an ordinary ML.NET model zip
}

using GanTransformer loaded = ml.Gan().LoadGenerator("mnist-gan.zip");
IDataView latent = ml.Gan().Data.SampleLatent(loaded, count: 64, seed: 7);  // Latent: Vector<Single, 100>
IDataView images = loaded.Transform(latent);                           // + GeneratedPixels, GeneratedImage (MLImage)
List<float[]> pixels = images.GetColumn<float[]>("GeneratedPixels").ToList();
using MLImage grid = GanImages.Grid(pixels, height: 28, width: 28, columns: 8, scale: 4);
GanImages.SavePng(grid, "generated.png");
Console.WriteLine($"Wrote mnist-gan.zip and generated.png ({grid.Width} x {grid.Height})");
