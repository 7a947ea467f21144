using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Gan.Tests.IO;

/// <summary>
/// A model zip saved by this library is an ordinary ML.NET model: an app that references only stock ML.NET (Microsoft.ML,
/// ImageAnalytics, OnnxTransformer and ONNX Runtime; no Microsoft.ML.Gan, no TorchSharp) loads it with
/// <c>mlContext.Model.Load</c> and generates the same pixels. The app is written to a folder outside this repository (so none
/// of its build settings apply), built against each ML.NET version a saved zip supports, and run as a process.
/// </summary>
[Category(TestCategories.Slow)]
public sealed class StockConsumerTests : ScratchDirectoryTest
{
    private const string Program = """
        using System.Globalization;
        using Microsoft.ML;
        using Microsoft.ML.Data;

        // args: model.zip latent.bin pixels.bin — latent.bin: int32 count, int32 dimension, then count x dimension float32.
        var ml = new MLContext(seed: 1);
        ITransformer model = ml.Model.Load(args[0], out DataViewSchema input);
        using var reader = new BinaryReader(File.OpenRead(args[1]));
        int count = reader.ReadInt32(), dimension = reader.ReadInt32();
        var rows = Enumerable.Range(0, count).Select(_ => new Row { Latent = Enumerable.Range(0, dimension).Select(_ => reader.ReadSingle()).ToArray() }).ToList();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema["Latent"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        IDataView output = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
        using var writer = new BinaryWriter(File.Create(args[2]));
        int images = 0;
        foreach ((float[] pixels, MLImage image) in output.GetColumn<float[]>("GeneratedPixels").Zip(output.GetColumn<MLImage>("GeneratedImage")))
        {
            foreach (float value in pixels) writer.Write(value);
            images += image.Width > 0 ? 1 : 0;
            image.Dispose();
        }

        string version = typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ML.NET {version}: {count} rows, {images} images, input {input.Single().Name}"));

        sealed class Row { public float[] Latent { get; set; } = []; }
        """;

    private const string ClassifierProgram = """
        using System.Globalization;
        using Microsoft.ML;
        using Microsoft.ML.Data;

        // args: classifier.zip pixels.bin predictions.bin — pixels.bin: int32 count, int32 side, then count x side x side float32.
        var ml = new MLContext(seed: 1);
        ITransformer model = ml.Model.Load(args[0], out DataViewSchema input);
        using var reader = new BinaryReader(File.OpenRead(args[1]));
        int count = reader.ReadInt32(), side = reader.ReadInt32();
        var rows = Enumerable.Range(0, count).Select(_ => new Row { Pixels = Enumerable.Range(0, side * side).Select(_ => reader.ReadSingle()).ToArray() }).ToList();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema["Pixels"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, side, side);
        IDataView output = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
        using var writer = new BinaryWriter(File.Create(args[2]));
        foreach ((uint key, float[] score) in output.GetColumn<uint>("PredictedLabel").Zip(output.GetColumn<float[]>("Score")))
        {
            writer.Write(key);
            foreach (float value in score) writer.Write(value);
        }

        VBuffer<ReadOnlyMemory<char>> names = default;
        output.Schema["PredictedLabel"].GetKeyValues(ref names);
        string version = typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];
        Console.WriteLine($"ML.NET {version}: {count} rows, PredictedLabel {output.Schema["PredictedLabel"].Type} named {string.Join(",", names.DenseValues())}");

        sealed class Row { public float[] Pixels { get; set; } = []; }
        """;

    /// <summary>ML.NET version, and the ONNX Runtime whose native library goes with its OnnxTransformer.</summary>
    private static IEnumerable<TestCaseData> Versions()
    {
        yield return new TestCaseData("6.0.0", "1.32.0").SetArgDisplayNames("ML.NET 6.0.0");
        yield return new TestCaseData("5.0.1", "1.31.1").SetArgDisplayNames("ML.NET 5.0.1");
    }

    [TestCaseSource(nameof(Versions))]
    public void AnAppWithOnlyStockMlNetLoadsTheZipAndGeneratesTheSamePixels(string mlNet, string onnxRuntime)
    {
        var ml = new MLContext(1);
        GanOptions options = SyntheticImages.FastOptions(architecture: GanArchitecture.Dcgan);
        using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 64));
        string model = Path.Combine(Scratch, "model.zip");
        gan.Save(model);
        IDataView latent = ml.Gan().Data.SampleLatent(gan, 20, seed: 5);
        float[][] vectors = latent.GetColumn<float[]>("Latent").ToArray();
        float[] expected = [.. gan.Transform(latent).GetColumn<float[]>("GeneratedPixels").SelectMany(p => p)];
        string latentFile = Path.Combine(Scratch, "latent.bin");
        using (var writer = new BinaryWriter(File.Create(latentFile)))
        {
            writer.Write(vectors.Length);
            writer.Write(vectors[0].Length);
            foreach (float value in vectors.SelectMany(v => v))
            {
                writer.Write(value);
            }
        }

        string app = WriteApp(mlNet, onnxRuntime);
        string pixelsFile = Path.Combine(Scratch, "pixels.bin");
        (int exit, string log) = Dotnet(app, "run", "-c", "Release", "--", model, latentFile, pixelsFile);

        Assert.That(exit, Is.Zero, log);
        Assert.That(log, Does.Contain($"ML.NET {mlNet}: 20 rows, 20 images, input Latent"));
        byte[] bytes = File.ReadAllBytes(pixelsFile);
        float[] actual = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, actual, 0, bytes.Length);
        Assert.That(actual, Is.EqualTo(expected), "the same ONNX graph through stock ML.NET: the same pixels, bit for bit");
    }

    [TestCaseSource(nameof(Versions))]
    public void AnAppWithOnlyStockMlNetLoadsAClassifierZipAndPredictsTheSame(string mlNet, string onnxRuntime)
    {
        var ml = new MLContext(1);
        var options = new SemiSupervisedGanOptions { Budget = TrainingBudget.OfSteps(20), BatchSize = 16, LatentDimension = 8, Seed = 1 };
        using SemiSupervisedGanTransformer model = ml.Gan().SemiSupervisedClassifier(options).Fit(ml.Gan().Data.KeepLabels(SyntheticImages.LoadLabelled(ml, 128), 2, seed: 1));
        string zip = Path.Combine(Scratch, "classifier.zip");
        model.Save(zip);
        IDataView test = SyntheticImages.LoadLabelled(ml, 24);
        float[][] pixels = [.. test.GetColumn<float[]>("Pixels")];
        string pixelsFile = Path.Combine(Scratch, "pixels.bin");
        using (var writer = new BinaryWriter(File.Create(pixelsFile)))
        {
            writer.Write(pixels.Length);
            writer.Write(SyntheticImages.Side);
            foreach (float value in pixels.SelectMany(p => p))
            {
                writer.Write(value);
            }
        }

        IDataView scored = model.Transform(test);
        uint[] expectedKeys = [.. scored.GetColumn<uint>("PredictedLabel")];
        float[][] expectedScores = [.. scored.GetColumn<float[]>("Score")];
        string app = WriteApp(mlNet, onnxRuntime, ClassifierProgram, "classifier");
        string predictions = Path.Combine(Scratch, "predictions.bin");
        (int exit, string log) = Dotnet(app, "run", "-c", "Release", "--", zip, pixelsFile, predictions);

        Assert.That(exit, Is.Zero, log);
        Assert.That(log, Does.Contain($"ML.NET {mlNet}: 24 rows, PredictedLabel Key<UInt32, 0-3> named 1,2,3,4"));
        using var reader = new BinaryReader(File.OpenRead(predictions));
        for (int i = 0; i < expectedKeys.Length; i++)
        {
            Assert.That(reader.ReadUInt32(), Is.EqualTo(expectedKeys[i]), $"row {i}'s predicted key");
            Assert.That(Enumerable.Range(0, 4).Select(_ => reader.ReadSingle()), Is.EqualTo(expectedScores[i]), $"row {i}'s scores");
        }
    }

    /// <summary>The consumer app in a folder of its own under the system temp folder, outside this repository's build settings.</summary>
    private static string WriteApp(string mlNet, string onnxRuntime, string program = Program, string name = "generator")
    {
        string folder = Path.Combine(Path.GetTempPath(), "gan-stock-consumer", name, mlNet);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
        File.WriteAllText(Path.Combine(folder, "StockConsumer.csproj"), string.Create(CultureInfo.InvariantCulture, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.ML" Version="{mlNet}" />
                <PackageReference Include="Microsoft.ML.ImageAnalytics" Version="{mlNet}" />
                <PackageReference Include="Microsoft.ML.OnnxTransformer" Version="{mlNet}" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="{onnxRuntime}" />
              </ItemGroup>
            </Project>
            """));
        // An empty build-settings chain: nothing from folders above is imported.
        File.WriteAllText(Path.Combine(folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(folder, "Directory.Packages.props"), "<Project />");
        return folder;
    }

    private static (int ExitCode, string Log) Dotnet(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 5 minutes: " + output.Result + error.Result);
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}
