using System.Globalization;
using System.Security;
using System.Text;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// Draws an array's chunk grid as SVG, in the manner of Dask's array diagram: a bar for 1-D, a grid of chunk
/// rectangles for 2-D, an oblique box for 3-D (the last three dimensions of higher ranks), with the shape, chunk shape,
/// data type and bytes beside it. Stored chunks are shaded, missing ones (read as the fill value) are pale. Sides are
/// scaled like Dask's: proportional to the dimension's length up to a ratio of 5, logarithmic beyond, so very long or
/// very thin arrays stay legible. When a dimension has more than <see cref="MaxCellsPerDimension"/> chunks, each cell
/// stands for several chunks and its shade is the fraction of them that is stored.
/// </summary>
internal static class ChunkGridSvg
{
    /// <summary>Chunks drawn per dimension before neighbouring chunks are merged into one cell.</summary>
    public const int MaxCellsPerDimension = 64;

    private const double Size = 220;       // the longest drawn side, px
    private const double MinSide = 12;
    private const double BarHeight = 28;   // the thickness of a 1-D bar
    private const double Margin = 30;
    private const double LineHeight = 18;
    private const double TextWidth = 300;
    private const long MaxShadedChunks = 1L << 18;
    private const string Fill = "#ECB172";

    /// <summary>Draws the array at <paramref name="arrayPath"/> and writes the SVG to <paramref name="file"/>.</summary>
    /// <exception cref="UsageException">No array path was given, or a group is there.</exception>
    public static void Save(ZarrStore store, string? arrayPath, string file)
    {
        if (string.IsNullOrEmpty(arrayPath) && store.GetNodeKind(string.Empty) != NodeKind.Array)
        {
            throw new UsageException("--svg draws one array: name it with --array PATH");
        }

        if (store.GetNodeKind(arrayPath ?? string.Empty) != NodeKind.Array)
        {
            throw new UsageException($"--svg draws an array, and '{arrayPath}' is a group");
        }

        // Rendered first, then written next to the file and renamed over it: a failure leaves an existing file as it was.
        string svg = Render(store.OpenArray(arrayPath ?? string.Empty));
        AtomicFile.Write(file, temp => File.WriteAllText(temp, svg, new UTF8Encoding(false)));
    }

    /// <summary>The SVG document for <paramref name="array"/>, with its stored chunks shaded.</summary>
    public static string Render(ZarrArray array)
    {
        long[] grid = array.GridShape;
        long total = grid.Aggregate(1L, (a, b) => a * b);
        Func<long[], bool>? isStored = null;
        if (total <= MaxShadedChunks)
        {
            string prefix = array.Path.Length == 0 ? string.Empty : array.Path + "/";
            var keys = array.Store.Store.List(prefix).ToHashSet(StringComparer.Ordinal);
            isStored = index => keys.Contains(array.ChunkKey(index));
        }

        var lines = new List<string>
        {
            array.Path.Length == 0 ? "/" : "/" + array.Path,
            $"shape ({string.Join(", ", array.Shape)})",
            $"chunks ({string.Join(", ", array.ChunkShape)})",
            $"grid ({string.Join(", ", grid)}): {total:N0} chunks",
            $"dtype {array.DataType.Name}",
            $"{ByteSize.Format(array.ElementCount * array.DataType.Size)} logical, {ByteSize.Format(array.StoredBytes())} stored",
            $"stored chunks: {array.StoredChunkCount():N0} of {total:N0}",
        };
        return Render([.. array.Shape], [.. array.ChunkShape], lines, isStored);
    }

    /// <summary>
    /// The SVG document for a grid of <paramref name="chunks"/> over <paramref name="shape"/>, with
    /// <paramref name="labels"/> beside the drawing; <paramref name="isStored"/> (by chunk index) shades chunks, or
    /// null to shade all.
    /// </summary>
    public static string Render(long[] shape, int[] chunks, IReadOnlyList<string> labels, Func<long[], bool>? isStored)
    {
        int rank = shape.Length;
        int drawn = Math.Min(rank, 3);
        int first = rank - drawn;
        var axes = Enumerable.Range(first, drawn).Select(d => new ChunkGridAxis(shape[d], chunks[d])).ToArray();
        double[] sides = Sides(shape[first..]);
        var notes = new List<string>(labels);
        if (axes.Any(a => a.PerCell > 1))
        {
            notes.Add($"one cell = {string.Join(" x ", axes.Select(a => a.PerCell))} chunks");
        }

        if (first > 0)
        {
            notes.Add($"dimensions 0..{first - 1} not drawn (cells combine them)");
        }

        notes.Add(isStored is null ? "(stored chunks not shaded: too many)" : "shaded: stored; pale: missing (fill value)");

        // The front face shows the last two drawn dimensions (a 1-D bar: one row); 3-D adds depth for the first.
        ChunkGridAxis rows = drawn >= 2 ? axes[drawn - 2] : new ChunkGridAxis(1, 1);
        ChunkGridAxis cols = drawn >= 1 ? axes[drawn - 1] : new ChunkGridAxis(1, 1);
        double width = drawn >= 1 ? sides[drawn - 1] : BarHeight;
        double height = drawn >= 2 ? sides[drawn - 2] : BarHeight;
        double depth = drawn == 3 ? Math.Max(24, sides[0] * 0.7) : 0; // oblique: depth drawn at 45 degrees, shortened
        double[,] fraction = StoredFractions(shape, chunks, rows, cols, isStored);

        var svg = new StringBuilder();
        double drawingWidth = width + depth + (2 * Margin) + 30;
        double drawingHeight = height + depth + (2 * Margin) + 10;
        double canvasWidth = drawingWidth + TextWidth;
        double canvasHeight = Math.Max(drawingHeight, (2 * Margin) + (notes.Count * LineHeight));
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(canvasWidth)}\" height=\"{F(canvasHeight)}\" ")
           .Append(CultureInfo.InvariantCulture, $"viewBox=\"0 0 {F(canvasWidth)} {F(canvasHeight)}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<title>").Append(Escape(labels.Count > 0 ? labels[0] : "array")).Append(" chunk grid</title>\n");

        double x0 = drawn == 3 ? Margin + 10 : Margin; // room for the depth label
        double y0 = Margin;
        if (drawn == 3)
        {
            DrawDepth(svg, x0, y0, width, height, depth, axes);
        }

        // Front face: one rectangle per cell, shaded by the fraction of its chunks that is stored.
        double fx = x0 + depth;
        double fy = y0 + depth;
        svg.Append("<g class=\"chunks\" stroke=\"#000\" stroke-width=\"0.8\">\n");
        for (int r = 0; r < rows.Cells; r++)
        {
            double top = fy + (height * rows.StartFraction(r));
            double bottom = fy + (height * rows.EndFraction(r));
            for (int c = 0; c < cols.Cells; c++)
            {
                double left = fx + (width * cols.StartFraction(c));
                double right = fx + (width * cols.EndFraction(c));
                double opacity = 0.08 + (0.72 * fraction[r, c]);
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"chunk\" x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(right - left)}\" height=\"{F(bottom - top)}\" ")
                   .Append(CultureInfo.InvariantCulture, $"fill=\"{Fill}\" fill-opacity=\"{opacity:0.###}\"/>\n");
            }
        }

        svg.Append("</g>\n");

        // Dimension lengths along the edges, as Dask labels them.
        if (drawn >= 1)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(fx + (width / 2))}\" y=\"{F(fy + height + 18)}\" text-anchor=\"middle\">{shape[rank - 1]}</text>\n");
        }

        if (drawn >= 2)
        {
            double lx = fx + width + 16;
            double ly = fy + (height / 2);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(lx)}\" y=\"{F(ly)}\" text-anchor=\"middle\" transform=\"rotate(-90 {F(lx)} {F(ly)})\">{shape[rank - 2]}</text>\n");
        }

        if (drawn == 3)
        {
            double lx = x0 + (depth / 2) - 10;
            double ly = y0 + (depth / 2) + height + 12;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(lx)}\" y=\"{F(ly)}\" text-anchor=\"middle\" transform=\"rotate(45 {F(lx)} {F(ly)})\">{shape[first]}</text>\n");
        }

        double tx = drawingWidth;
        for (int i = 0; i < notes.Count; i++)
        {
            string weight = i == 0 ? " font-weight=\"bold\"" : string.Empty;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(tx)}\" y=\"{F(Margin + 12 + (i * LineHeight))}\"{weight}>{Escape(notes[i])}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    // The top and left faces of the oblique box, with the chunk boundaries of each dimension as lines.
    private static void DrawDepth(StringBuilder svg, double x0, double y0, double width, double height, double depth, ChunkGridAxis[] axes)
    {
        svg.Append("<g class=\"faces\" stroke=\"#000\" stroke-width=\"0.8\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{P(x0, y0)} {P(x0 + width, y0)} {P(x0 + width + depth, y0 + depth)} {P(x0 + depth, y0 + depth)}\" fill=\"{Fill}\" fill-opacity=\"0.35\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{P(x0, y0)} {P(x0 + depth, y0 + depth)} {P(x0 + depth, y0 + depth + height)} {P(x0, y0 + height)}\" fill=\"{Fill}\" fill-opacity=\"0.5\"/>\n");
        for (int k = 1; k < axes[0].Cells; k++)
        {
            double t = depth * axes[0].StartFraction(k);
            Line(svg, x0 + t, y0 + t, x0 + t + width, y0 + t);
            Line(svg, x0 + t, y0 + t, x0 + t, y0 + t + height);
        }

        for (int k = 1; k < axes[2].Cells; k++)
        {
            double x = width * axes[2].StartFraction(k);
            Line(svg, x0 + x, y0, x0 + x + depth, y0 + depth);
        }

        for (int k = 1; k < axes[1].Cells; k++)
        {
            double y = height * axes[1].StartFraction(k);
            Line(svg, x0, y0 + y, x0 + depth, y0 + depth + y);
        }

        svg.Append("</g>\n");
    }

    private static void Line(StringBuilder svg, double x1, double y1, double x2, double y2) =>
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\"/>\n");

    // For each front-face cell, the fraction of the chunks it stands for (over every other dimension too) that is stored.
    private static double[,] StoredFractions(long[] shape, int[] chunks, ChunkGridAxis rows, ChunkGridAxis cols, Func<long[], bool>? isStored)
    {
        var fraction = new double[rows.Cells, cols.Cells];
        if (isStored is null)
        {
            for (int r = 0; r < rows.Cells; r++)
            {
                for (int c = 0; c < cols.Cells; c++)
                {
                    fraction[r, c] = 1;
                }
            }

            return fraction;
        }

        int rank = shape.Length;
        long[] grid = [.. Enumerable.Range(0, rank).Select(d => ChunkGridAxis.GridLength(shape[d], chunks[d]))];
        if (grid.Any(g => g == 0))
        {
            return fraction;
        }

        var count = new long[rows.Cells, cols.Cells];
        var stored = new long[rows.Cells, cols.Cells];
        long[] index = new long[rank];
        while (true)
        {
            int r = rank >= 2 ? (int)(index[rank - 2] / rows.PerCell) : 0;
            int c = rank >= 1 ? (int)(index[rank - 1] / cols.PerCell) : 0;
            count[r, c]++;
            if (isStored(index))
            {
                stored[r, c]++;
            }

            int d = rank - 1;
            while (d >= 0 && ++index[d] == grid[d])
            {
                index[d] = 0;
                d--;
            }

            if (d < 0)
            {
                break;
            }
        }

        for (int r = 0; r < rows.Cells; r++)
        {
            for (int c = 0; c < cols.Cells; c++)
            {
                fraction[r, c] = count[r, c] == 0 ? 0 : (double)stored[r, c] / count[r, c];
            }
        }

        return fraction;
    }

    // Dask's side lengths: proportional up to a 5x ratio to the longest dimension, logarithmic beyond.
    private static double[] Sides(long[] shape)
    {
        double longest = Math.Max(1, shape.DefaultIfEmpty(1).Max());
        return [.. shape.Select(length =>
        {
            double ratio = longest / Math.Max(0.1, length);
            double response = ratio < 5 ? ratio : 5 * (1 + Math.Log(ratio / 5));
            return Math.Max(MinSide, Size / response);
        })];
    }

        private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string P(double x, double y) => F(x) + "," + F(y);

    private static string Escape(string text) => SecurityElement.Escape(text);
}
