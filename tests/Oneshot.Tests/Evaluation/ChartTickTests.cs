using Oneshot.Evaluation.Report;

namespace Oneshot.Tests.Evaluation;

public class ChartTickTests
{
    [Theory]
    [InlineData(-1.66, 17.3, new[] { 0.0, 5, 10, 15 })]
    [InlineData(0, 1, new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(97, 20_400, new[] { 5000.0, 10000, 15000, 20000 })]
    [InlineData(-0.031, 0.012, new[] { -0.03, -0.02, -0.01, 0, 0.01 })]
    public void Ticks_fall_on_round_values_inside_the_range(double low, double high, double[] expected) =>
        Assert.Equal(expected, SvgChart.Ticks(low, high));

    [Fact]
    public void Log_ticks_are_round_numbers_at_every_scale()
    {
        static double[] Values(double low, double high) =>
            [.. SvgChart.LogTicks(Math.Log10(low), Math.Log10(high)).Select(v => Math.Round(Math.Pow(10, v), 6))];
        Assert.Equal([1, 2, 5, 10, 20, 50], Values(0.9, 60));
        Assert.Equal([1, 10, 100, 1000, 10000, 100000], Values(0.5, 300_000));
        Assert.Equal([7, 8, 9, 10, 11], Values(6.6, 11.5));   // within a decade: round linear values
    }
}
