using Microsoft.ML.Data;
using Microsoft.ML.Gan.Mnist;

namespace Microsoft.ML.Gan.Tests.Data;

[Category(TestCategories.Fast)]
public sealed class IdxFileTests : ScratchDirectoryTest
{
    private string PathOf(string name) => Path.Combine(Scratch, name);

    [Test]
    public void GoodFilesReadThroughTheCursor()
    {
        string images = TestFiles.WriteImages(PathOf("images"), 3);
        string labels = TestFiles.WriteLabels(PathOf("labels"), 7, 0, 9);
        IDataView data = new MLContext().Gan().Data.LoadIdx(images, labels);

        Assert.That(data.GetRowCount(), Is.EqualTo(3));
        var rows = new List<(uint Label, float[] Pixels)>();
        using DataViewRowCursor cursor = data.GetRowCursor(data.Schema);
        ValueGetter<uint> label = cursor.GetGetter<uint>(data.Schema["Label"]);
        ValueGetter<VBuffer<float>> pixels = cursor.GetGetter<VBuffer<float>>(data.Schema["Pixels"]);
        while (cursor.MoveNext())
        {
            uint key = 0;
            VBuffer<float> values = default;
            label(ref key);
            pixels(ref values);
            rows.Add((key, values.DenseValues().ToArray()));
        }

        Assert.That(rows.Select(r => r.Label), Is.EqualTo(new uint[] { 8, 1, 10 }), "keys are class + 1");
        Assert.That(rows[2].Pixels[5], Is.EqualTo(7 / 255f), "image 2, pixel 5 holds byte (2 + 5)");
        Assert.That(rows[1].Pixels[255], Is.EqualTo(0f), "image 1, pixel 255 holds byte 256 mod 256");
        Assert.That(rows.All(r => r.Pixels.Length == 784));
    }

    [Test]
    public void WrongMagicNumberNamesTheFile()
    {
        string images = TestFiles.WriteIdx(PathOf("images"), [1, 28, 28], new byte[784], magic: 0x00000801 + 0x2000);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.OpenImages(images));
        Assert.That(error!.Message, Does.Contain(images).And.Contain("magic number").And.Contain("0x00000803"));
    }

    [Test]
    public void LabelFileWhereImagesAreExpectedIsRejected()
    {
        string labels = TestFiles.WriteLabels(PathOf("labels"), 1, 2, 3);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.OpenImages(labels));
        Assert.That(error!.Message, Does.Contain("0x00000801").And.Contain("expected 0x00000803"));
    }

    [Test]
    public void WrongImageDimensionsAreRejectedForMnist()
    {
        string images = TestFiles.WriteImages(PathOf("images"), 2, height: 32, width: 32);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.OpenImages(images, 28, 28));
        Assert.That(error!.Message, Does.Contain("32 x 32").And.Contain("expected 28 x 28").And.Contain(images));
    }

    [Test]
    public void ZeroDimensionIsRejected()
    {
        string images = TestFiles.WriteIdx(PathOf("images"), [1, 0, 28], []);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.OpenImages(images));
        Assert.That(error!.Message, Does.Contain("dimension 1").And.Contain(images));
    }

    [Test]
    public void ShortFileIsTruncated()
    {
        string images = TestFiles.WriteImages(PathOf("images"), 2);
        byte[] bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..^10]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.OpenImages(images));
        Assert.That(error!.Message, Does.Contain("truncated").And.Contain("1584").And.Contain("1574"));
    }

    [Test]
    public void FileShorterThanItsHeaderIsTruncated()
    {
        string path = PathOf("tiny");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.OpenImages(path));
        Assert.That(error!.Message, Does.Contain("truncated inside its header").And.Contain(path));
    }

    [Test]
    public void TrailingBytesAreRejected()
    {
        string labels = PathOf("labels");
        TestFiles.WriteIdx(labels, [2], [1, 2, 3]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(labels, 10));
        Assert.That(error!.Message, Does.Contain("trailing bytes"));
    }

    [Test]
    public void LabelOutsideTheClassesIsRejected()
    {
        string labels = TestFiles.WriteLabels(PathOf("labels"), 1, 10);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(labels, 10));
        Assert.That(error!.Message, Does.Contain("label 10 at row 1").And.Contain("0..9"));
    }

    [Test]
    public void LabelAndImageCountMismatchNamesBothCounts()
    {
        string images = TestFiles.WriteImages(PathOf("images"), 3);
        string labels = TestFiles.WriteLabels(PathOf("labels"), 1, 2);
        var error = Assert.Throws<InvalidDataException>(() => new MLContext().Gan().Data.LoadIdx(images, labels));
        Assert.That(error!.Message, Does.Contain("3 images").And.Contain("2 labels").And.Contain(images));
    }

    [Test]
    public void MissingFileIsNamed()
    {
        string missing = PathOf("nope");
        var error = Assert.Throws<FileNotFoundException>(() => new MLContext().Gan().Data.LoadIdx(missing));
        Assert.That(error!.Message, Does.Contain(missing));
    }

    [Test]
    public void MaxRowsAboveTheFileIsRejected()
    {
        string images = TestFiles.WriteImages(PathOf("images"), 3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MLContext().Gan().Data.LoadIdx(images, maxRows: 4));
        Assert.That(error!.Message, Does.Contain("maxRows").And.Contain("between 0 and 3"));
    }
}
