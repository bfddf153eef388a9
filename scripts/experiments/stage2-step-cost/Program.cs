// Issue 34: where a stage-2 step's time goes on a CPU, and what each discriminator family costs.
//   dotnet run -c Release --project scripts/experiments/stage2-step-cost -- MODEL_DIR [threads] [steps]
// Times (medians over the steps, after two untimed ones; making each synthetic batch is inside
// the time, a few ms) on one-shot-like batches of the model's batch size: the frozen encoder's
// forward pass, the decoder's forward and backward pass on an L1 loss, and whole stage-2 steps with
// the discriminators the model's config names and with each family alone (periods, scales, STFT).
using System.Diagnostics;
using Oneshot.Benchmarks;
using Oneshot.Model;
using Oneshot.Training;
using static TorchSharp.torch;

string directory = args.ElementAtOrDefault(0) ?? "models/drums";
int threads = int.Parse(args.ElementAtOrDefault(1) ?? "1");
int steps = int.Parse(args.ElementAtOrDefault(2) ?? "6");
set_num_threads(threads);
var (config, model) = ModelDirectory.Load(directory);
int batch = config.Train.BatchSize, length = config.Model.ClipLength;
Batch Synthetic(long i) => TrainingBenchmark.SyntheticBatch(i, batch, length, config.Model.SampleRate);
Console.WriteLine($"{directory}: batch {batch} × {length} samples, {threads} thread(s), median of {steps} steps\n");

double Median(IEnumerable<double> values) { var s = values.OrderBy(v => v).ToArray(); return s[s.Length / 2]; }
double Time(Action<long> body)
{
    var times = new List<double>();
    for (int i = 0; i < steps + 2; i++)
    {
        var clock = Stopwatch.StartNew();
        body(i);
        if (i >= 2) times.Add(clock.Elapsed.TotalMilliseconds);
    }
    return Median(times);
}

using var stage1 = new Stage1Step(model, config.Train, CPU);
double encoder = Time(i =>
{
    using var scope = NewDisposeScope();
    using var _ = no_grad();
    var clips = tensor(Synthetic(i).Samples, [batch, length]);
    model.SamplePosterior(model.Encode(clips), null);
});
double decoder = Time(i =>
{
    using var scope = NewDisposeScope();
    var clips = tensor(Synthetic(i).Samples, [batch, length]);
    Tensor z;
    using (no_grad()) z = model.SamplePosterior(model.Encode(clips), null).Z;
    var reconstruction = model.Decode(z);
    var loss = nn.functional.l1_loss(reconstruction, clips);   // a backward pass through the decoder alone
    loss.backward();
    model.zero_grad();
});
Console.WriteLine($"| part | ms |\n|---|---|\n| encoder forward (frozen) | {encoder:F0} |\n| encoder forward + " +
    $"decoder forward and backward (L1) | {decoder:F0} |\n");

var stage2 = config.Stage2;
(string Name, Stage2Config Config)[] variants =
[
    ($"as configured ({stage2.Periods.Length} period, {stage2.Scales} scale, {stage2.StftSizes.Length} STFT)", stage2),
    ("periods only", stage2 with { Scales = 0, StftSizes = [] }),
    ("scales only", stage2 with { Periods = [], StftSizes = [] }),
    ("STFT 2048·1024·512 only", stage2 with { Periods = [], Scales = 0, StftSizes = [2048, 1024, 512] }),
    ("all three families", stage2 with { StftSizes = [2048, 1024, 512] }),
];
Console.WriteLine("| discriminators | step ms (discriminators learn every step) | forward | backward + optimiser " +
    "|\n|---|---|---|---|");
foreach (var (name, variant) in variants)
{
    using var step = new Stage2Step(model, stage1, config.Train, variant with { DiscriminatorEvery = 1 }, CPU);
    var forward = new List<double>(); var rest = new List<double>();
    double total = Time(i =>
    {
        var result = step.Run(Synthetic(i), i);
        if (i >= 2)
        {
            forward.Add(1000 * result.ForwardSeconds);
            rest.Add(1000 * (result.BackwardSeconds + result.OptimizerSeconds));
        }
    });
    Console.WriteLine($"| {name} | {total:F0} | {Median(forward):F0} | {Median(rest):F0} |");
}
