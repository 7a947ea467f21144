using Microsoft.ML.Gan.Logging;
using System.IO.Compression;
using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Gan.Mnist;

/// <summary>A web mirror serving the gzip-compressed MNIST files (<c>{name}.gz</c>) under one base address.</summary>
internal sealed class HttpMirrorSource(Uri baseAddress) : IMnistSource
{
    /// <summary>The mirrors torchvision and TensorFlow use; the original site often refuses automated downloads.</summary>
    public static IReadOnlyList<HttpMirrorSource> PublicMirrors { get; } =
    [
        new(new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/")),
        new(new Uri("https://storage.googleapis.com/cvdf-datasets/mnist/")),
    ];

    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromMinutes(5) };

    public string Description => $"web mirror {baseAddress}";

    public void Fetch(string directory, IReadOnlyList<MnistFile> files, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (MnistFile file in files)
        {
            var address = new Uri(baseAddress, file.Name + ".gz");
            using var request = new HttpRequestMessage(HttpMethod.Get, address);
            using HttpResponseMessage response = Client.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            long? total = response.Content.Headers.ContentLength;
            using Stream body = response.Content.ReadAsStream(cancellationToken);
            using var counting = new ProgressStream(body, total, read => GanLog.DownloadProgress(logger, file.Name + ".gz", read, total ?? -1));
            using var gzip = new GZipStream(counting, CompressionMode.Decompress);
            using var output = File.Create(Path.Combine(directory, file.Name));
            gzip.CopyTo(output);
        }
    }

    /// <summary>Counts bytes read and reports about every 10% (or 1 MiB when the length is unknown).</summary>
    private sealed class ProgressStream(Stream inner, long? total, Action<long> report) : Stream
    {
        private long _read;
        private long _nextReport = Step(total);

        private static long Step(long? total) => total is long t && t > 0 ? Math.Max(t / 10, 1) : 1 << 20;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            _read += n;
            if (_read >= _nextReport || (n == 0 && _read > 0))
            {
                report(_read);
                _nextReport = _read + Step(total);
            }

            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
