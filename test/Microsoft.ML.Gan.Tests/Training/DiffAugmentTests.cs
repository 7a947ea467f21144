using Microsoft.ML.Gan.Networks;
using Microsoft.ML.Gan.Torch;
using Microsoft.ML.Gan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Tests.Training;

/// <summary>DiffAugment: shapes, what each augmentation does to the pixels, gradients to the generator, and training with it.</summary>
[Category(TestCategories.Fast)]
public sealed class DiffAugmentTests
{
    private static readonly ImageShape Digit = new(1, 28, 28);

    /// <summary>A batch of distinct images in [−1, 1] with no black pixels (so any black pixel was put there by the augmentation).</summary>
    private static Tensor Batch(int count, ImageShape shape)
    {
        torch.manual_seed(11);
        return (torch.rand(count, shape.Size) * 1.5) - 0.5;
    }

    [TestCase(DiffAugmentPolicy.Color)]
    [TestCase(DiffAugmentPolicy.Translation)]
    [TestCase(DiffAugmentPolicy.Cutout)]
    [TestCase(DiffAugmentPolicy.All)]
    public void KeepsTheShapeAndChangesEveryImage(DiffAugmentPolicy policy)
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = Batch(32, Digit);
        torch.manual_seed(1);

        Tensor augmented = DiffAugment.Apply(images, Digit, policy);

        Assert.That(augmented.shape, Is.EqualTo(images.shape));
        // Translation can draw a zero shift for an image; over 32 images at least most must change.
        long changed = (augmented - images).abs().sum(1).gt(1e-3).sum().item<long>();
        Assert.That(changed, Is.GreaterThanOrEqualTo(policy == DiffAugmentPolicy.Translation ? 28 : 32), $"{changed} of 32 images changed");
    }

    [Test]
    public void NoneReturnsTheBatchItself()
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = Batch(4, Digit);
        Assert.That(ReferenceEquals(DiffAugment.Apply(images, Digit, DiffAugmentPolicy.None), images));
    }

    [Test]
    public void TranslationShiftsEachImageByAtMostFourPixelsFillingWithBlack()
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = Batch(16, Digit);
        torch.manual_seed(2);
        float[] output = DiffAugment.Apply(images, Digit, DiffAugmentPolicy.Translation).data<float>().ToArray();
        float[] input = images.data<float>().ToArray();
        var shifts = new HashSet<(int, int)>();
        for (int n = 0; n < 16; n++)
        {
            (int dy, int dx)? found = null;
            for (int dy = -4; dy <= 4 && found is null; dy++)
            {
                for (int dx = -4; dx <= 4 && found is null; dx++)
                {
                    if (IsShift(input, output, n, dy, dx))
                    {
                        found = (dy, dx);
                    }
                }
            }

            Assert.That(found, Is.Not.Null, $"image {n} is a shift of its input by at most 4 pixels, with black coming in");
            shifts.Add(found!.Value);
        }

        Assert.That(shifts, Has.Count.GreaterThan(1), "shifts are drawn per image");
    }

    private static bool IsShift(float[] input, float[] output, int image, int dy, int dx)
    {
        for (int i = 0; i < 28; i++)
        {
            for (int j = 0; j < 28; j++)
            {
                int si = i + dy, sj = j + dx;
                float expected = si is >= 0 and < 28 && sj is >= 0 and < 28 ? input[(image * 784) + (si * 28) + sj] : -1f;
                if (output[(image * 784) + (i * 28) + j] != expected)
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Test]
    public void CutoutBlacksOutOneSquareOfAtMostHalfTheSide()
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = Batch(16, Digit);
        torch.manual_seed(3);
        float[] output = DiffAugment.Apply(images, Digit, DiffAugmentPolicy.Cutout).data<float>().ToArray();
        float[] input = images.data<float>().ToArray();
        for (int n = 0; n < 16; n++)
        {
            var black = Enumerable.Range(0, 784).Where(p => output[(n * 784) + p] != input[(n * 784) + p]).ToArray();
            Assert.That(black.All(p => output[(n * 784) + p] == -1f), "changed pixels are black");
            Assert.That(black, Is.Not.Empty);
            int rows = black.Max(p => p / 28) - black.Min(p => p / 28) + 1, columns = black.Max(p => p % 28) - black.Min(p => p % 28) + 1;
            Assert.That(rows, Is.LessThanOrEqualTo(14));
            Assert.That(columns, Is.LessThanOrEqualTo(14));
            Assert.That(black, Has.Length.EqualTo(rows * columns), $"image {n}: the black pixels form one rectangle");
        }
    }

    [TestCase(DiffAugmentPolicy.Translation | DiffAugmentPolicy.Cutout)]
    [TestCase(DiffAugmentPolicy.All)]
    public void GradientsReachTheGeneratorThroughTheAugmentation(DiffAugmentPolicy policy)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        using var generator = new DcganGenerator(8, Digit, width: 4, classCount: 3);
        Tensor fakes = generator.forward(torch.randn(6, 8), torch.tensor(new long[] { 0, 1, 2, 0, 1, 2 }));

        DiffAugment.Apply(fakes, Digit, policy).pow(2).sum().backward();

        foreach ((string name, var parameter) in generator.named_parameters())
        {
            Assert.That(parameter.grad, Is.Not.Null, name);
            Assert.That(parameter.grad!.abs().sum().item<float>(), Is.GreaterThan(0), $"gradient of {name}");
        }
    }

    [Test]
    public void ColourImagesKeepTheirShapeAndGetPerImageColourChanges()
    {
        using var scope = torch.NewDisposeScope();
        var colour = new ImageShape(3, 8, 8);
        Tensor images = Batch(8, colour);
        torch.manual_seed(5);
        Tensor augmented = DiffAugment.Apply(images, colour, DiffAugmentPolicy.Color);
        Assert.That(augmented.shape, Is.EqualTo(new long[] { 8, 192 }));
        // Saturation and contrast scale each image's spread across channels by its own random factor.
        Tensor spread(Tensor x) => x.view(8, 3, 64).std(1).mean([1]);
        float[] factors = (spread(augmented) / spread(images)).data<float>().ToArray();
        Assert.That(factors.Max() - factors.Min(), Is.GreaterThan(0.2), $"per-image factors {string.Join(", ", factors)}");
    }

    [Test]
    public void TrainingWithDiffAugmentIsReproducibleAndDiffersFromTrainingWithout()
    {
        var ml = new MLContext(1);
        float[] Train(DiffAugmentPolicy policy)
        {
            GanOptions options = SyntheticImages.FastOptions(architecture: GanArchitecture.Dcgan);
            options.DiffAugment = policy;
            using GanTransformer gan = ml.Gan().Generator(options).Fit(SyntheticImages.Load(ml, 64));
            return gan.Generate(4, seed: 1).GetColumn<float[]>("GeneratedPixels").SelectMany(p => p).ToArray();
        }

        float[] augmented = Train(DiffAugmentPolicy.Translation | DiffAugmentPolicy.Cutout);
        Assert.That(Train(DiffAugmentPolicy.Translation | DiffAugmentPolicy.Cutout), Is.EqualTo(augmented), "same seed, same weights");
        Assert.That(Train(DiffAugmentPolicy.None), Is.Not.EqualTo(augmented));
    }

    [Test]
    public void AffineWithNoRangesLeavesTheImagesAsTheyAre()
    {
        using var scope = torch.NewDisposeScope();
        Tensor images = torch.rand(8, Digit.Size);
        Tensor same = DiffAugment.Affine(images, Digit, maxDegrees: 0, maxScale: 0, maxShear: 0, maxShift: 0);
        Assert.That((same - images).abs().max().item<float>(), Is.LessThan(1e-5f));
    }

    [Test]
    public void AffineMovesEachImageByItsOwnShiftWithinTheRange()
    {
        using var scope = torch.NewDisposeScope();
        // One bright 2 × 2 square in the middle, 64 times; only shifts of up to 3 pixels.
        var pixels = new float[Digit.Size];
        foreach ((int r, int c) in new[] { (13, 13), (13, 14), (14, 13), (14, 14) })
        {
            pixels[(r * 28) + c] = 1f;
        }

        Tensor images = torch.tensor(pixels).unsqueeze(0).expand(64, Digit.Size).contiguous();
        torch.manual_seed(3);
        Tensor moved = DiffAugment.Affine(images, Digit, maxDegrees: 0, maxScale: 0, maxShear: 0, maxShift: 3).view(64, 28, 28);

        Tensor mass = moved.sum([1, 2]);
        Tensor index = ScalarArithmetic.Range(28).to_type(ScalarType.Float32);
        float[] rows = ((moved.sum([2]) * index).sum([1]) / mass).data<float>().ToArray();
        float[] columns = ((moved.sum([1]) * index).sum([1]) / mass).data<float>().ToArray();
        Assert.That(mass.data<float>().ToArray(), Is.All.EqualTo(4f).Within(1e-3f), "a shift keeps all of the square inside");
        Assert.That(rows.Concat(columns).Select(centre => Math.Abs(centre - 13.5f)), Is.All.LessThanOrEqualTo(3.001f));
        Assert.That(rows.Concat(columns).Count(centre => Math.Abs(centre - 13.5f) > 1), Is.GreaterThan(16), "most copies moved by more than a pixel");
        Assert.That(rows.Distinct().Count(), Is.GreaterThan(32), "every copy draws its own shift");
    }

    [Test]
    public void AffineTurnsALineAboutTheCentreKeepingItsInk()
    {
        using var scope = torch.NewDisposeScope();
        // A horizontal line through the middle, 32 times; only turns of up to 30 degrees.
        var pixels = new float[Digit.Size];
        for (int c = 6; c < 22; c++)
        {
            pixels[(14 * 28) + c] = 1f;
        }

        Tensor images = torch.tensor(pixels).unsqueeze(0).expand(32, Digit.Size).contiguous();
        torch.manual_seed(4);
        Tensor turned = DiffAugment.Affine(images, Digit, maxDegrees: 30, maxScale: 0, maxShear: 0, maxShift: 0).view(32, 28, 28);

        float[] ink = turned.sum([1, 2]).data<float>().ToArray();
        Assert.That(ink, Is.All.InRange(16f * 0.85f, 16f * 1.15f), "a turn about the centre keeps the line inside and its ink");
        // The share of ink left on the line's own row falls as the line turns: every copy draws its own angle.
        float[] onRow = (turned[.., 14, ..].sum([1]) / turned.sum([1, 2])).data<float>().ToArray();
        Assert.That(onRow.Max() - onRow.Min(), Is.GreaterThan(0.3f), $"share of ink on the line's row: {string.Join(", ", onRow)}");
    }
}
