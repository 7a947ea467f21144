using Microsoft.ML.Data;

namespace Microsoft.ML.Gan.Tests.Imaging;

[Category(TestCategories.Fast)]
public sealed class GanImagesTests : ScratchDirectoryTest
{
    private static float[] Gradient(int height, int width)
        => Enumerable.Range(0, height * width).Select(i => (i % 256) / 255f).ToArray();

    [Test]
    public void PngRoundTripKeepsGrayValuesAndIsOpaque()
    {
        float[] pixels = Gradient(28, 28);
        string path = Path.Combine(Scratch, "digit.png");
        using (MLImage image = GanImages.FromGrayscale(pixels, 28, 28))
        {
            GanImages.SavePng(image, path);
        }

        using MLImage decoded = MLImage.CreateFromFile(path);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((28, 28)));
        byte[] bgra = decoded.Pixels.ToArray();
        Assert.That(decoded.PixelFormat, Is.EqualTo(MLPixelFormat.Bgra32).Or.EqualTo(MLPixelFormat.Rgba32));
        for (int i = 0; i < pixels.Length; i++)
        {
            byte expected = (byte)(i % 256);
            Assert.That(bgra[(4 * i) + 1], Is.EqualTo(expected), $"green of pixel {i}");
            Assert.That(bgra[(4 * i) + 3], Is.EqualTo(255), $"alpha of pixel {i}");
        }

        Assert.That(Directory.GetFiles(Scratch), Has.Length.EqualTo(1), "no temporary file remains");
    }

    [Test]
    public void GridPlacesImagesInRowsWithPadding()
    {
        float[] white = Enumerable.Repeat(1f, 4).ToArray();
        float[] black = new float[4];
        using MLImage grid = GanImages.Grid([white, black, white], 2, 2, columns: 2, padding: 1);

        Assert.That((grid.Width, grid.Height), Is.EqualTo((7, 7)));
        byte Green(int x, int y) => grid.Pixels[(4 * ((y * 7) + x)) + 1];
        Assert.That(Green(1, 1), Is.EqualTo(255), "first image, top-left");
        Assert.That(Green(4, 1), Is.EqualTo(0), "second image is black");
        Assert.That(Green(1, 4), Is.EqualTo(255), "third image starts the second row");
        Assert.That(Green(0, 0), Is.EqualTo(0), "padding");
    }

    [Test]
    public void ScaleEnlargesEveryPixelIntoABlockWithoutSmoothing()
    {
        float[] white = Enumerable.Repeat(1f, 4).ToArray();
        float[] black = new float[4];
        using MLImage grid = GanImages.Grid([white, black, white], 2, 2, columns: 2, padding: 1, scale: 3);

        Assert.That((grid.Width, grid.Height), Is.EqualTo((21, 21)), "the 7 x 7 grid, 3 times");
        byte Green(int x, int y) => grid.Pixels[(4 * ((y * 21) + x)) + 1];
        for (int y = 0; y < 21; y++)
        {
            for (int x = 0; x < 21; x++)
            {
                // Pixel (x, y) of the enlarged grid is pixel (x / 3, y / 3) of the unscaled one: white only inside the two white images.
                (int sx, int sy) = (x / 3, y / 3);
                bool whiteImage = (sx is 1 or 2 && sy is 1 or 2) || (sx is 1 or 2 && sy is 4 or 5);
                Assert.That(Green(x, y), Is.EqualTo(whiteImage ? 255 : 0), $"pixel ({x}, {y})");
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => GanImages.Grid([white], 2, 2, columns: 1, scale: 0));
    }

    [Test]
    public void WrongPixelCountIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => GanImages.FromGrayscale(new float[10], 28, 28));
        Assert.That(error!.Message, Does.Contain("784").And.Contain("10"));
    }

    [Test]
    public void SaveIntoMissingDirectoryLeavesNothing()
    {
        string path = Path.Combine(Scratch, "missing", "digit.png");
        using MLImage image = GanImages.FromGrayscale(Gradient(2, 2), 2, 2);
        var error = Assert.Throws<DirectoryNotFoundException>(() => GanImages.SavePng(image, path));
        Assert.That(error!.Message, Does.Contain(path));
        Assert.That(Directory.GetFileSystemEntries(Scratch), Is.Empty);
    }
}
