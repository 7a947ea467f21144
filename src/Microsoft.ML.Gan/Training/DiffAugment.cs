using Microsoft.ML.Gan.Torch;
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
        x = x.Plus(torch.rand(n, 1, 1, 1, device: x.device).Minus(0.5));
        Tensor channelMean = x.mean([1], keepdim: true);
        x = ((x - channelMean) * torch.rand(n, 1, 1, 1, device: x.device).Times(2L)).Plus(channelMean);
        Tensor imageMean = x.mean([1, 2, 3], keepdim: true);
        return ((x - imageMean) * torch.rand(n, 1, 1, 1, device: x.device).Plus(0.5)).Plus(imageMean);
    }

    /// <summary>Flat images [N, C·H·W] shifted by up to <paramref name="maxShift"/> pixels each way, per image, <paramref name="fill"/> where nothing moved in.</summary>
    public static Tensor Shift(Tensor images, ImageShape shape, long maxShift, float fill)
        => Translate(images.view(-1, shape.Channels, shape.Height, shape.Width), maxShift, maxShift, fill).flatten(1);

    /// <summary>Flat images [N, C·H·W] with a <paramref name="size"/> × <paramref name="size"/> square set to <paramref name="fill"/>, centred anywhere, per image.</summary>
    public static Tensor CutOut(Tensor images, ImageShape shape, long size, float fill)
        => Cutout(images.view(-1, shape.Channels, shape.Height, shape.Width), size, size, fill).flatten(1);

    /// <summary>
    /// Flat images [N, C·H·W] in [0, 1], each turned by up to ±<paramref name="maxDegrees"/>, scaled by 1 ± <paramref name="maxScale"/>,
    /// sheared by up to ±<paramref name="maxShear"/> and moved by up to ±<paramref name="maxShift"/> pixels each way (all uniform, per
    /// image), sampled bilinearly; 0 where nothing maps in. The strong view of the semi-supervised consistency term: the
    /// deformations handwriting has, which a dense classifier cannot learn from shifts.
    /// </summary>
    public static Tensor Affine(Tensor images, ImageShape shape, double maxDegrees, double maxScale, double maxShear, double maxShift)
    {
        Tensor x = images.view(-1, shape.Channels, shape.Height, shape.Width);
        long n = x.shape[0];
        Tensor angle = Uniform(n, maxDegrees * Math.PI / 180, x.device);
        Tensor scale = Uniform(n, maxScale, x.device).Plus(1.0);
        Tensor shear = Uniform(n, maxShear, x.device);
        // Normalised coordinates run from −1 to 1 across the image, so a pixel is 2 / side of them.
        Tensor moveX = Uniform(n, maxShift * 2 / shape.Width, x.device);
        Tensor moveY = Uniform(n, maxShift * 2 / shape.Height, x.device);
        Tensor cos = angle.cos(), sin = angle.sin();
        // Where each output pixel samples the input (the inverse map): rotation, then shear along x, then 1 / scale.
        Tensor theta = torch.stack(
        [
            torch.stack([cos / scale, ((shear * cos) - sin) / scale, moveX], 1),
            torch.stack([sin / scale, cos.Plus(shear * sin) / scale, moveY], 1),
        ], 1);
        Tensor grid = nn.functional.affine_grid(theta, [n, shape.Channels, shape.Height, shape.Width], align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).flatten(1);
    }

    /// <summary>[N] values uniform in [−<paramref name="half"/>, <paramref name="half"/>].</summary>
    private static Tensor Uniform(long n, double half, Device device) => torch.rand(n, device: device).Minus(0.5).Times(2 * half);

    /// <summary>out[i, j] = x[i + dy, j + dx] where that lies inside the image, black elsewhere; dy, dx in [−s, s].</summary>
    private static Tensor Translate(Tensor x)
    {
        (long h, long w) = (x.shape[2], x.shape[3]);
        return Translate(x, (long)((h * 0.125) + 0.5), (long)((w * 0.125) + 0.5), Black);
    }

    private static Tensor Translate(Tensor x, long shiftY, long shiftX, float fill)
    {
        (long n, long c, long h, long w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        Tensor dy = torch.randint(-shiftY, shiftY + 1, [n, 1], dtype: ScalarType.Int64, device: x.device);
        Tensor dx = torch.randint(-shiftX, shiftX + 1, [n, 1], dtype: ScalarType.Int64, device: x.device);
        Tensor rows = ScalarArithmetic.Range(h, x.device).unsqueeze(0).Plus(dy);      // [N, H] source rows
        Tensor columns = ScalarArithmetic.Range(w, x.device).unsqueeze(0).Plus(dx);   // [N, W] source columns
        Tensor inside = (Inside(rows, h).unsqueeze(2) & Inside(columns, w).unsqueeze(1)).unsqueeze(1);   // [N, 1, H, W]
        Tensor source = rows.ClampTo(0, h - 1).unsqueeze(2).Times(w).Plus(columns.ClampTo(0, w - 1).unsqueeze(1));  // [N, H, W]
        Tensor moved = x.reshape(n, c, h * w).gather(2, source.reshape(n, 1, h * w).expand(n, c, h * w)).view(n, c, h, w);
        return torch.where(inside, moved, ScalarArithmetic.FullLike(moved, fill));
    }

    /// <summary>A black square of side ⌊size/2 + 0.5⌋ per image, centred anywhere in the image.</summary>
    private static Tensor Cutout(Tensor x)
    {
        (long h, long w) = (x.shape[2], x.shape[3]);
        return Cutout(x, (long)((h * 0.5) + 0.5), (long)((w * 0.5) + 0.5), Black);
    }

    private static Tensor Cutout(Tensor x, long sizeY, long sizeX, float fill)
    {
        (long n, long h, long w) = (x.shape[0], x.shape[2], x.shape[3]);
        Tensor top = torch.randint(0, h + (1 - (sizeY % 2)), [n, 1], dtype: ScalarType.Int64, device: x.device).Minus(sizeY / 2);
        Tensor left = torch.randint(0, w + (1 - (sizeX % 2)), [n, 1], dtype: ScalarType.Int64, device: x.device).Minus(sizeX / 2);
        Tensor rows = ScalarArithmetic.Range(h, x.device).unsqueeze(0);
        Tensor columns = ScalarArithmetic.Range(w, x.device).unsqueeze(0);
        Tensor inRows = (rows >= top) & (rows < top.Plus(sizeY));
        Tensor inColumns = (columns >= left) & (columns < left.Plus(sizeX));
        Tensor cut = (inRows.unsqueeze(2) & inColumns.unsqueeze(1)).unsqueeze(1);
        return torch.where(cut, ScalarArithmetic.FullLike(x, fill), x);
    }

    private static Tensor Inside(Tensor index, long size) => index.AtLeast(0) & index.Below(size);
}
