using System.Globalization;
using System.Net;
using System.Text;

namespace Oneshot.Evaluation.Report;

/// <summary>Small inline SVG charts for the report: no script, no external files, readable when printed.</summary>
public static class SvgChart
{
    const int Width = 520, Height = 300, Left = 60, Right = 20, Top = 20, Bottom = 45;
    static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Colour(int index) => Palette[index % Palette.Length];

    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

    /// <summary>Lines over a shared x axis, with a legend.</summary>
    /// <param name="markers">A dot at every point, so a series of one point shows and each point can be read (a few
    /// points per series).</param>
    public static string Lines(IReadOnlyList<Series> series, string xLabel, string yLabel, bool logY = false,
        bool markers = false)
    {
        bool Drawable((double X, double Y) p) => double.IsFinite(p.Y) && (!logY || p.Y > 0);
        var all = series.SelectMany(s => s.Points).Where(Drawable).ToList();
        if (all.Count == 0) return "<p><em>no data</em></p>";
        Func<double, double> fy = logY ? Math.Log10 : y => y;
        var (x0, x1) = Range(all.Select(p => p.X));
        var (y0, y1) = Range(all.Select(p => fy(p.Y)));
        var svg = Open();
        Axes(svg, x0, x1, y0, y1, xLabel, logY ? $"{yLabel} (log)" : yLabel, logY);
        for (int i = 0; i < series.Count; i++)
        {
            var drawn = series[i].Points.Where(Drawable).Select(p =>
                (P: p, Cx: F(X(p.X, x0, x1)), Cy: F(Y(fy(p.Y), y0, y1)))).ToList();
            svg.Append($"<polyline fill=\"none\" stroke=\"{Colour(i)}\" stroke-width=\"1.5\" points=\"" +
                $"{string.Join(' ', drawn.Select(d => $"{d.Cx},{d.Cy}"))}\"/>");
            if (!markers) continue;
            foreach (var d in drawn)
                svg.Append($"<circle cx=\"{d.Cx}\" cy=\"{d.Cy}\" r=\"3\" fill=\"{Colour(i)}\"><title>" +
                    $"{Escape(series[i].Name)}: {F(d.P.X)}, {F(d.P.Y)}</title></circle>");
        }
        Legend(svg, series.Select(s => s.Name).ToList());
        return Close(svg);
    }

    /// <summary>A scatter plot coloured by label.</summary>
    public static string Scatter(IReadOnlyList<double[]> points, IReadOnlyList<string> labels, string xLabel,
        string yLabel)
    {
        if (points.Count == 0) return "<p><em>no data</em></p>";
        var (x0, x1) = Range(points.Select(p => p[0]));
        var (y0, y1) = Range(points.Select(p => p[1]));
        var names = labels.Distinct().OrderBy(l => l, StringComparer.Ordinal).ToList();
        var svg = Open();
        Axes(svg, x0, x1, y0, y1, xLabel, yLabel, false);
        for (int i = 0; i < points.Count; i++)
        {
            int c = names.IndexOf(labels[i]);
            svg.Append($"<circle cx=\"{F(X(points[i][0], x0, x1))}\" cy=\"{F(Y(points[i][1], y0, y1))}\" r=\"3\" " +
                $"fill=\"{Colour(c)}\" fill-opacity=\"0.75\"><title>{Escape(labels[i])}</title></circle>");
        }
        Legend(svg, names);
        return Close(svg);
    }

    /// <summary>Bars with optional ± error whiskers (e.g. KID mean ± std).</summary>
    public static string Bars(IReadOnlyList<string> names, IReadOnlyList<double> values, IReadOnlyList<double>? errors,
        string yLabel)
    {
        if (names.Count == 0) return "<p><em>no data</em></p>";
        var tops = values.Select((v, i) => v + (errors?[i] ?? 0)).Append(0).ToList();
        var bottoms = values.Select((v, i) => v - (errors?[i] ?? 0)).Append(0).ToList();
        var (y0, y1) = Range(bottoms.Concat(tops));
        var svg = Open();
        Axes(svg, 0, names.Count, y0, y1, "", yLabel, false, xTicks: false);
        double slot = (double)(Width - Left - Right) / names.Count;
        for (int i = 0; i < names.Count; i++)
        {
            double x = Left + slot * i + slot * 0.2, w = slot * 0.6;
            double yv = Y(values[i], y0, y1), yz = Y(0, y0, y1);
            svg.Append($"<rect x=\"{F(x)}\" y=\"{F(Math.Min(yv, yz))}\" width=\"{F(w)}\" height=\"" +
                $"{F(Math.Abs(yz - yv))}\" fill=\"{Colour(i)}\"><title>{Escape(names[i])}: " +
                $"{values[i].ToString("G4", CultureInfo.InvariantCulture)}</title></rect>");
            if (errors is not null && errors[i] > 0)
            {
                double cx = x + w / 2, ya = Y(values[i] - errors[i], y0, y1), yb = Y(values[i] + errors[i], y0, y1);
                svg.Append($"<line x1=\"{F(cx)}\" x2=\"{F(cx)}\" y1=\"{F(ya)}\" y2=\"{F(yb)}\" stroke=\"#000\"/>");
                svg.Append($"<line x1=\"{F(cx - 5)}\" x2=\"{F(cx + 5)}\" y1=\"{F(ya)}\" y2=\"" +
                    $"{F(ya)}\" stroke=\"#000\"/><line x1=\"{F(cx - 5)}\" x2=\"{F(cx + 5)}\" y1=\"{F(yb)}\" y2=\"" +
                    $"{F(yb)}\" stroke=\"#000\"/>");
            }
            svg.Append($"<text x=\"{F(x + w / 2)}\" y=\"{Height - Bottom + 14}\" font-size=\"10\" " +
                $"text-anchor=\"middle\">{Escape(names[i])}</text>");
        }
        return Close(svg);
    }

    static StringBuilder Open() =>
        new($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"" +
        $"{Height}\" font-family=\"sans-serif\">");

    static string Close(StringBuilder svg) => svg.Append("</svg>").ToString();

    static void Axes(StringBuilder svg, double x0, double x1, double y0, double y1, string xLabel, string yLabel,
        bool logY, bool xTicks = true)
    {
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"" +
            $"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#999\"/>");
        foreach (double v in logY ? LogTicks(y0, y1) : Ticks(y0, y1))
        {
            double y = Y(v, y0, y1);
            svg.Append($"<text x=\"{Left - 4}\" y=\"{F(y + 3)}\" font-size=\"10\" text-anchor=\"end\">" +
                $"{Label(logY ? Math.Pow(10, v) : v)}</text>");
        }
        if (xTicks)
            foreach (double xv in Ticks(x0, x1))
                svg.Append($"<text x=\"{F(X(xv, x0, x1))}\" y=\"" +
                    $"{Height - Bottom + 14}\" font-size=\"10\" text-anchor=\"middle\">{Label(xv)}</text>");
        svg.Append($"<text x=\"{(Left + Width - Right) / 2}\" y=\"" +
            $"{Height - 8}\" font-size=\"11\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        svg.Append($"<text x=\"12\" y=\"{(Top + Height - Bottom) / 2}\" font-size=\"11\" text-anchor=\"middle\" " +
            $"transform=\"rotate(-90 12 {(Top + Height - Bottom) / 2})\">{Escape(yLabel)}</text>");
    }

    /// <summary>
    /// Tick values inside [low, high] at the round step (1, 2 or 5 × 10ⁿ) nearest to a quarter of
    /// the range: 0, 5, 10, 15 read faster than −1.66, 7.46, 16.6.
    /// </summary>
    public static IReadOnlyList<double> Ticks(double low, double high, int intervals = 4)
    {
        if (!(high > low) || !double.IsFinite(low) || !double.IsFinite(high)) return [];
        double raw = (high - low) / intervals, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).MinBy(s => Math.Abs(Math.Log(s / raw)));
        var ticks = new List<double>();
        for (double k = Math.Ceiling(low / step); k * step <= high + step * 1e-9; k++)
        {
            // Counted in whole units of the magnitude, so 6 × 0.1 prints as 0.6, not 0.6000000000000001 (and −0 as 0).
            double units = Math.Round(k * step / magnitude);
            ticks.Add((magnitude < 1 ? units / Math.Round(1 / magnitude) : units * magnitude) + 0.0);
        }
        return ticks;
    }

    /// <summary>Ticks of a log10 axis (values are exponents): 1, 2, 5 × 10ⁿ, or only the powers of ten over many
    /// decades, or round linear values within less than one.</summary>
    public static IReadOnlyList<double> LogTicks(double low, double high)
    {
        if (!(high > low) || !double.IsFinite(low) || !double.IsFinite(high)) return [];
        var candidates = new List<double>();
        for (double n = Math.Floor(low); n <= Math.Ceiling(high); n++)
            foreach (double m in new[] { 1.0, 2, 5 })
            {
                double v = n + Math.Log10(m);
                if (v >= low && v <= high) candidates.Add(v);
            }
        if (candidates.Count > 7) candidates = candidates.Where(v => Math.Abs(v - Math.Round(v)) < 1e-9).ToList();
        if (candidates.Count >= 2) return candidates;
        return Ticks(Math.Pow(10, low), Math.Pow(10, high)).Where(v => v > 0).Select(Math.Log10).ToList();
    }

    static string Label(double value) =>
        value.ToString(Math.Abs(value) >= 1e6 || (value != 0 && Math.Abs(value) < 1e-3) ? "G3" : "0.###",
            CultureInfo.InvariantCulture);

    static void Legend(StringBuilder svg, IReadOnlyList<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            int y = Top + 12 + 13 * i;
            svg.Append($"<rect x=\"{Width - Right - 150}\" y=\"{y - 8}\" width=\"10\" height=\"10\" fill=\"" +
                $"{Colour(i)}\"/>");
            svg.Append($"<text x=\"{Width - Right - 136}\" y=\"{y + 1}\" font-size=\"10\">{Escape(names[i])}</text>");
        }
    }

    static (double Low, double High) Range(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return (0, 1);
        double low = finite.Min(), high = finite.Max();
        if (high - low < 1e-12) { low -= 0.5; high += 0.5; }
        double pad = (high - low) * 0.05;
        return (low - pad, high + pad);
    }

    static double X(double v, double x0, double x1) => Left + (v - x0) / (x1 - x0) * (Width - Left - Right);
    static double Y(double v, double y0, double y1) => Height - Bottom - (v - y0) / (y1 - y0) * (Height - Top - Bottom);
    static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    static string Escape(string text) => WebUtility.HtmlEncode(text);
}
