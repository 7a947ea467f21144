using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Gan.Training;

/// <summary>
/// <see cref="DiffAugmentPolicy"/> as TorchSharp tensor operations on flat [N, C·H·W] batches in [−1, 1]. Every
/// operation is a gather, a mask or arithmetic, so gradients reach the images (and through fakes the generator).
/// The random draws come from the training generator, so a seeded run stays reproducible.
/// Follows the paper's reference code (mit-han-lab/data-efficient-gans, DiffAugment_pytorch.py), except that
/// the translation padding and the cutout fill are black (−1, pixel value 0) rather than 0, which is mid-grey in
/// the [−1, 1] range and would draw a grey frame around MNIST's black background.
/// </summary>
internal static class DiffAugment
{
    private const float Black = -1f;

    public static Tensor Apply(Tensor images, ImageShape shape, DiffAugmentPolicy policy)
    {
        if (policy == DiffAugmentPolicy.None)
        {
            return images;
        }

        Tensor x = images.view(-1, shape.Channels, shape.Height, shape.Width);
        if (policy.HasFlag(DiffAugmentPolicy.Color))
        {
            x = Color(x);
        }

        if (policy.HasFlag(DiffAugmentPolicy.Translation))
        {
            x = Translate(x);
        }

        if (policy.HasFlag(DiffAugmentPolicy.Cutout))
        {
            x = Cutout(x);
        }

        return x.flatten(1);
    }

    /// <summary>Brightness, saturation, contrast: one random factor per image for each.</summary>
    private static Tensor Color(Tensor x)
    {
        long n = x.shape[0];
        x = x + (torch.rand(n, 1, 1, 1, device: x.device) - 0.5);
        Tensor channelMean = x.mean([1], keepdim: true);
        x = ((x - channelMean) * (torch.rand(n, 1, 1, 1, device: x.device) * 2)) + channelMean;
        Tensor imageMean = x.mean([1, 2, 3], keepdim: true);
        return ((x - imageMean) * (torch.rand(n, 1, 1, 1, device: x.device) + 0.5)) + imageMean;
    }

    /// <summary>out[i, j] = x[i + dy, j + dx] where that lies inside the image, black elsewhere; dy, dx in [−s, s].</summary>
    private static Tensor Translate(Tensor x)
    {
        (long n, long c, long h, long w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        long shiftY = (long)((h * 0.125) + 0.5), shiftX = (long)((w * 0.125) + 0.5);
        Tensor dy = torch.randint(-shiftY, shiftY + 1, [n, 1], dtype: ScalarType.Int64, device: x.device);
        Tensor dx = torch.randint(-shiftX, shiftX + 1, [n, 1], dtype: ScalarType.Int64, device: x.device);
        Tensor rows = torch.arange(h, device: x.device).unsqueeze(0) + dy;      // [N, H] source rows
        Tensor columns = torch.arange(w, device: x.device).unsqueeze(0) + dx;   // [N, W] source columns
        Tensor inside = (Inside(rows, h).unsqueeze(2) & Inside(columns, w).unsqueeze(1)).unsqueeze(1);   // [N, 1, H, W]
        Tensor source = (rows.clamp(0, h - 1).unsqueeze(2) * w) + columns.clamp(0, w - 1).unsqueeze(1);  // [N, H, W]
        Tensor moved = x.reshape(n, c, h * w).gather(2, source.reshape(n, 1, h * w).expand(n, c, h * w)).view(n, c, h, w);
        return torch.where(inside, moved, torch.full_like(moved, Black));
    }

    /// <summary>A black square of side ⌊size/2 + 0.5⌋ per image, centred anywhere in the image.</summary>
    private static Tensor Cutout(Tensor x)
    {
        (long n, long h, long w) = (x.shape[0], x.shape[2], x.shape[3]);
        long sizeY = (long)((h * 0.5) + 0.5), sizeX = (long)((w * 0.5) + 0.5);
        Tensor top = torch.randint(0, h + (1 - (sizeY % 2)), [n, 1], dtype: ScalarType.Int64, device: x.device) - (sizeY / 2);
        Tensor left = torch.randint(0, w + (1 - (sizeX % 2)), [n, 1], dtype: ScalarType.Int64, device: x.device) - (sizeX / 2);
        Tensor rows = torch.arange(h, device: x.device).unsqueeze(0);
        Tensor columns = torch.arange(w, device: x.device).unsqueeze(0);
        Tensor inRows = (rows >= top) & (rows < top + sizeY);
        Tensor inColumns = (columns >= left) & (columns < left + sizeX);
        Tensor cut = (inRows.unsqueeze(2) & inColumns.unsqueeze(1)).unsqueeze(1);
        return torch.where(cut, torch.full_like(x, Black), x);
    }

    private static Tensor Inside(Tensor index, long size) => (index >= 0) & (index < size);
}
