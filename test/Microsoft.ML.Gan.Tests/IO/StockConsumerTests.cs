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
        using Microsoft.ML.OnnxRuntime;
        using Microsoft.ML.Transforms.Onnx;

        // args: model.zip latent.bin pixels.bin — latent.bin: int32 count, int32 dimension, then count x dimension float32.
        var ml = new MLContext(seed: 1);
        // README, "A rare failure of Model.Load": read the zip's ONNX graph as ONNX, whatever name ML.NET gives its file.
        ml.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = () =>
        {
            var session = new SessionOptions();
            session.AddSessionConfigEntry("session.load_model_format", "ONNX");
            return session;
        } });
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
        using Microsoft.ML.OnnxRuntime;
        using Microsoft.ML.Transforms.Onnx;

        // args: classifier.zip pixels.bin predictions.bin — pixels.bin: int32 count, int32 side, then count x side x side float32.
        var ml = new MLContext(seed: 1);
        // README, "A rare failure of Model.Load": read the zip's ONNX graph as ONNX, whatever name ML.NET gives its file.
        ml.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = () =>
        {
            var session = new SessionOptions();
            session.AddSessionConfigEntry("session.load_model_format", "ONNX");
            return session;
        } });
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

    private const string TableProgram = """
        using System.Globalization;
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using Microsoft.ML.OnnxRuntime;
        using Microsoft.ML.Transforms.Onnx;

        // args: table.zip latent.bin rows.tsv — latent.bin: int32 count, int32 width, then count x width float32.
        // rows.tsv: a header of name:type per generated column, then one line of invariant values per row.
        var ml = new MLContext(seed: 1);
        // README, "A rare failure of Model.Load": read the zip's ONNX graph as ONNX, whatever name ML.NET gives its file.
        ml.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = () =>
        {
            var session = new SessionOptions();
            session.AddSessionConfigEntry("session.load_model_format", "ONNX");
            return session;
        } });
        ITransformer model = ml.Model.Load(args[0], out DataViewSchema input);
        using var reader = new BinaryReader(File.OpenRead(args[1]));
        int count = reader.ReadInt32(), width = reader.ReadInt32();
        var rows = Enumerable.Range(0, count).Select(_ => new Row { Latent = Enumerable.Range(0, width).Select(_ => reader.ReadSingle()).ToArray() }).ToList();
        SchemaDefinition schema = SchemaDefinition.Create(typeof(Row));
        schema["Latent"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        IDataView output = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
        DataViewSchema.Column[] columns = [.. output.Schema.Where(c => !c.IsHidden && c.Name != "Latent")];
        using var cursor = output.GetRowCursor(columns);
        Func<string>[] getters = [.. columns.Select(c => Getter(cursor, c))];
        using var writer = new StreamWriter(args[2]);
        writer.WriteLine(string.Join("\t", columns.Select(c => $"{c.Name}:{c.Type}")));
        while (cursor.MoveNext()) writer.WriteLine(string.Join("\t", getters.Select(g => g())));
        string version = typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion.Split('+')[0];
        Console.WriteLine($"ML.NET {version}: {count} rows, input {input.Single().Name}");

        static Func<string> Getter(DataViewRowCursor cursor, DataViewSchema.Column column) => column.Type.RawType switch
        {
            var t when t == typeof(float) => Text<float>(cursor, column, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Text<double>(cursor, column, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Text<int>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(uint) => Text<uint>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Text<bool>(cursor, column, v => v.ToString()),
            _ => Text<ReadOnlyMemory<char>>(cursor, column, v => v.ToString()),
        };

        static Func<string> Text<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, string> format)
        {
            ValueGetter<T> getter = cursor.GetGetter<T>(column);
            T value = default!;
            return () => { getter(ref value); return format(value); };
        }

        sealed class Row { public float[] Latent { get; set; } = []; }
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

    [TestCaseSource(nameof(Versions))]
    public void AnAppWithOnlyStockMlNetLoadsATableGeneratorZipAndGeneratesTheSameRows(string mlNet, string onnxRuntime)
    {
        var ml = new MLContext(1);
        var random = new Random(3);
        string[] cities = ["Oslo", "Lima", "Pune"];
        IDataView table = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 400).Select(i => new TableRow
        {
            Height = 150f + (40f * (float)random.NextDouble()),
            Income = i % 5 == 0 ? double.NaN : 20_000 + (70_000 * random.NextDouble()),
            Age = 18 + random.Next(60),
            Member = i % 3 == 0,
            City = i % 9 == 0 ? "" : cities[random.Next(3)],
            Colour = i % 2 == 0 ? "red" : "blue",
        }));
        table = ml.Transforms.Conversion.MapValueToKey(nameof(TableRow.Colour)).Fit(table).Transform(table);
        var options = new TabularGanOptions { Budget = TrainingBudget.OfEpochs(3), BatchSize = 50, LatentDimension = 8, GeneratorWidth = 16, CriticWidth = 16, Threads = 1, Seed = 2 };
        using TabularGanTransformer generator = ml.Gan().TableGenerator(options).Fit(table);
        string zip = Path.Combine(Scratch, "table.zip");
        generator.Save(zip);
        IDataView latent = generator.SampleLatent(50, seed: 4);
        float[][] vectors = [.. latent.GetColumn<float[]>("Latent")];
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

        IDataView expected = generator.Transform(latent);
        string app = WriteApp(mlNet, onnxRuntime, TableProgram, "table");
        string rowsFile = Path.Combine(Scratch, "rows.tsv");
        (int exit, string log) = Dotnet(app, "run", "-c", "Release", "--", zip, latentFile, rowsFile);

        Assert.That(exit, Is.Zero, log);
        Assert.That(log, Does.Contain($"ML.NET {mlNet}: 50 rows, input Latent"));
        string[] lines = File.ReadAllLines(rowsFile);
        Assert.That(lines[0].Split('\t'), Is.EqualTo(generator.GeneratedSchema.Select(c => $"{c.Name}:{c.Type}")), "the training columns, with their types");
        Assert.That(lines, Has.Length.EqualTo(51));
        string[][] actual = [.. lines.Skip(1).Select(l => l.Split('\t'))];
        float[] height = [.. expected.GetColumn<float>(nameof(TableRow.Height))];
        double[] income = [.. expected.GetColumn<double>(nameof(TableRow.Income))];
        int[] age = [.. expected.GetColumn<int>(nameof(TableRow.Age))];
        bool[] member = [.. expected.GetColumn<bool>(nameof(TableRow.Member))];
        string[] city = [.. expected.GetColumn<ReadOnlyMemory<char>>(nameof(TableRow.City)).Select(c => c.ToString())];
        uint[] colour = [.. expected.GetColumn<uint>(nameof(TableRow.Colour))];
        for (int row = 0; row < 50; row++)
        {
            string[] values = actual[row];
            Assert.That(float.Parse(values[0], CultureInfo.InvariantCulture), Is.EqualTo(height[row]).Within(1e-4).Percent, $"row {row}'s Height");
            double parsed = double.Parse(values[1], CultureInfo.InvariantCulture);
            Assert.That(parsed, double.IsNaN(income[row]) ? Is.NaN : Is.EqualTo(income[row]).Within(1e-4).Percent, $"row {row}'s Income");
            Assert.That(int.Parse(values[2], CultureInfo.InvariantCulture), Is.EqualTo(age[row]).Within(1), $"row {row}'s Age");
            Assert.That(values[3..], Is.EqualTo(new[] { member[row].ToString(), city[row], colour[row].ToString(CultureInfo.InvariantCulture) }), $"row {row}'s categories");
        }
    }

    private sealed class TableRow
    {
        public float Height { get; set; }

        public double Income { get; set; }

        public int Age { get; set; }

        public bool Member { get; set; }

        public string City { get; set; } = "";

        public string Colour { get; set; } = "";
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
