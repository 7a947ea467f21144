// Synthetic rows for a table: a CTGAN-class generator trained on UCI Adult, rows of one label generated on demand, and an
// ML.NET classifier trained on real rows, on synthetic rows, and in one pipeline on a synthetic twin of every real row.
// Run from the repository root: dotnet run --project samples/TableRows -c Release -- 300   (epochs; 300 is CTGAN's budget)
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan;

int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var ml = new MLContext(seed: 1);
IDataView train = ml.Data.LoadFromTextFile<Adult>("data/adult/adult-train.csv", separatorChar: ',', hasHeader: true);
IDataView test = ml.Data.LoadFromTextFile<Adult>("data/adult/adult-test.csv", separatorChar: ',', hasHeader: true);

// 1. The generator learns every column: numbers, text categories, the 0/1 label.
var options = new TabularGanOptions { LabelColumnName = "Label", Budget = TrainingBudget.OfEpochs(epochs), Seed = 1 };
using TabularGanTransformer generator = ml.Gan().TableGenerator(options).Fit(train);
IDataView synthetic = generator.Generate(count: 22_561, seed: 7);           // exactly the training schema
IDataView richRows = generator.Generate(count: 1_000, seed: 8, labelValue: "1");   // upsampling: only label 1
TableQualityReport quality = generator.EvaluateQuality(train, synthetic);
Console.WriteLine($"Quality (SDMetrics' score): {quality.OverallScore:F3}");

// 2. A classifier of the label, trained on real rows and on synthetic rows, F1 of the positive class on real test rows.
string[] text = ["Workclass", "Education", "MaritalStatus", "Occupation", "Relationship", "Ethnicity", "Sex", "NativeCountry"];
string[] numbers = ["Age", "Fnlwgt", "EducationNum", "CapitalGain", "CapitalLoss", "HoursPerWeek"];
IEstimator<ITransformer> classifier = ml.Transforms.Conversion.ConvertType("Target", "Label", DataKind.Boolean)
    .Append(ml.Transforms.Categorical.OneHotEncoding([.. text.Select(c => new InputOutputColumnPair(c))]))
    .Append(ml.Transforms.Conversion.ConvertType([.. numbers.Select(c => new InputOutputColumnPair(c))], DataKind.Single))
    .Append(ml.Transforms.Concatenate("Features", [.. text, .. numbers]))
    .Append(ml.Transforms.NormalizeMinMax("Features"))
    .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Target"));
double F1(IDataView rows) => ml.BinaryClassification.Evaluate(classifier.Fit(rows).Transform(test), labelColumnName: "Target").F1Score;
Console.WriteLine($"F1 trained on real rows {F1(train):F4}, on synthetic rows {F1(synthetic):F4}");

// 3. As a transformer: every real row in, a synthetic twin of the same label out; fit any ML.NET step on the twins.
ITransformer onTwins = classifier.Fit(generator.Transform(train));
double twinsF1 = ml.BinaryClassification.Evaluate(onTwins.Transform(test), labelColumnName: "Target").F1Score;
Console.WriteLine($"F1 trained on twins {twinsF1:F4}; label-1 rows asked for: {richRows.GetColumn<int>("Label").Count(l => l == 1):N0} of 1,000");

// 4. Saved like any ML.NET model: Model.Load (also in an app with only stock ML.NET) maps latent rows to table rows.
//    ReadOnnxFilesAsOnnx guards against a rare ML.NET load failure (README, "A rare failure of Model.Load").
generator.Save("adult-generator.zip");
ITransformer loaded = ml.Gan().ReadOnnxFilesAsOnnx().Model.Load("adult-generator.zip", out DataViewSchema latentSchema);
IDataView fromZip = loaded.Transform(generator.SampleLatent(count: 5, seed: 9));
Console.WriteLine($"From the zip ({latentSchema[0].Name}: {latentSchema[0].Type}): ages {string.Join(", ", fromZip.GetColumn<int>("Age"))}");

/// <summary>One row of data/adult (UCI Adult, SDGym's split): the columns in file order.</summary>
internal sealed class Adult
{
    [LoadColumn(0)] public int Age { get; set; }
    [LoadColumn(1)] public string Workclass { get; set; } = "";
    [LoadColumn(2)] public int Fnlwgt { get; set; }
    [LoadColumn(3)] public string Education { get; set; } = "";
    [LoadColumn(4)] public int EducationNum { get; set; }
    [LoadColumn(5)] public string MaritalStatus { get; set; } = "";
    [LoadColumn(6)] public string Occupation { get; set; } = "";
    [LoadColumn(7)] public string Relationship { get; set; } = "";
    [LoadColumn(8)] public string Ethnicity { get; set; } = "";
    [LoadColumn(9)] public string Sex { get; set; } = "";
    [LoadColumn(10)] public int CapitalGain { get; set; }
    [LoadColumn(11)] public int CapitalLoss { get; set; }
    [LoadColumn(12)] public int HoursPerWeek { get; set; }
    [LoadColumn(13)] public string NativeCountry { get; set; } = "";
    [LoadColumn(14)] public int Label { get; set; }
}
