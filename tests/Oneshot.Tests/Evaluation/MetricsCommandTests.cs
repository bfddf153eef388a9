using System.Text.Json;
using Oneshot.Tests.Cli;

namespace Oneshot.Tests.Evaluation;

/// <summary>`oneshot metrics` against an independent computation in NumPy (a different route to each number).</summary>
public class MetricsCommandTests
{
    // Writes the two embedding files (float64 and float32) and prints NumPy's values as JSON.
    // FAD here takes Tr (Σ₁Σ₂)^½ from the complex eigenvalues of the non-symmetric product, KID
    // from one subset holding every embedding, the manifold metrics from explicit loops over balls,
    // and the Vendi score from the n × n kernel.
    const string Script = """
import json, sys
import numpy as np
rng = np.random.default_rng(7)
n, m, d = 120, 100, 6
a = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) * 0.5
b = rng.normal(size=(m, d)) * 0.8 + 0.3
np.save(sys.argv[1], a.astype(np.float64))
np.save(sys.argv[2], b.astype(np.float32))
b = b.astype(np.float32).astype(np.float64)

mu1, mu2 = a.mean(0), b.mean(0)
s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
eig = np.linalg.eigvals(s1 @ s2)
fad = float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(eig.real, 0, None)).sum())

def k(x, y): return (x @ y.T / d + 1) ** 3
kxx, kyy, kxy = k(a, a), k(b, b), k(a, b)
def mmd(x, y):
    kx, ky, kxy = k(x, x), k(y, y), k(x, y)
    p, q = len(x), len(y)
    within = (kx.sum() - np.trace(kx)) / (p * (p - 1)) + (ky.sum() - np.trace(ky)) / (q * (q - 1))
    return within - 2 * kxy.sum() / (p * q)

def dist(x, y): return np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
def radius(x, kk):
    dd = dist(x, x)
    return np.array([np.sort(row)[kk] for row in dd])
rr3, rf3, rr5 = radius(a, 3), radius(b, 3), radius(a, 5)
dfr = dist(b, a)
precision = np.mean([any(dfr[j, i] <= rr3[i] for i in range(n)) for j in range(m)])
recall = np.mean([any(dfr[j, i] <= rf3[j] for j in range(m)) for i in range(n)])
density = sum(dfr[j, i] <= rr5[i] for j in range(m) for i in range(n)) / (5 * m)
coverage = np.mean([any(dfr[j, i] <= rr5[i] for j in range(m)) for i in range(n)])

def vendi(x):
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    lam = np.linalg.eigvalsh(u @ u.T / len(x))
    lam = lam[lam > 1e-15]
    return float(np.exp(-(lam * np.log(lam)).sum()))

np.save(sys.argv[3], a[:m])
print(json.dumps({"fad": fad, "precision": precision, "recall": recall, "density": density, "coverage": coverage,
                  "vendi_reference": vendi(a), "vendi": vendi(b), "kid_trimmed": float(mmd(a[:m], b))}))
""";

    [Fact]
    public void Metrics_agree_with_an_independent_numpy_computation()
    {
        using var dir = new TempDir();
        string script = dir.File("check.py");
        File.WriteAllText(script, Script);
        string a = dir.File("a.npy"), b = dir.File("b.npy"), trimmed = dir.File("a100.npy");
        var expected = JsonDocument.Parse(Tools.Run(Tools.Python, script, a, b, trimmed)).RootElement;

        var (code, output, error) = CliTests.Oneshot("metrics", a, b, "--json", dir.File("m.json"));
        Assert.True(code == 0, error + output);
        var actual = JsonDocument.Parse(File.ReadAllText(dir.File("m.json"))).RootElement;
        foreach (string name in new[] { "fad", "precision", "recall", "density", "coverage", "vendi_reference",
            "vendi" })
        {
            double want = expected.GetProperty(name).GetDouble(), got = actual.GetProperty(name).GetDouble();
            Assert.True(Math.Abs(want - got) <= 1e-6 * Math.Max(1, Math.Abs(want)),
                $"{name}: oneshot {got}, numpy {want}");
        }
        Assert.Contains("fad_inf", output);
        Assert.Contains("ndb", output);

        // KID with one subset as large as both sets is the MMD² of the whole sets, whatever the draw order.
        (code, output, error) = CliTests.Oneshot("metrics", trimmed, b, "--kid-subsets", "1", "--kid-subset-size",
            "100", "--json", dir.File("k.json"));
        Assert.True(code == 0, error + output);
        double kid = JsonDocument.Parse(File.ReadAllText(dir.File("k.json"))).RootElement.GetProperty("kid")
            .GetDouble();
        double wantKid = expected.GetProperty("kid_trimmed").GetDouble();
        Assert.True(Math.Abs(kid - wantKid) <= 1e-6 * Math.Max(1, Math.Abs(wantKid)),
            $"kid: oneshot {kid}, numpy {wantKid}");
    }

    [Fact]
    public void Mismatched_or_broken_files_are_clear_errors()
    {
        using var dir = new TempDir();
        Oneshot.Storage.NpyFile.Write(dir.File("a.npy"), new float[40], [10, 4]);
        Oneshot.Storage.NpyFile.Write(dir.File("b.npy"), new float[30], [10, 3]);
        var (code, _, error) = CliTests.Oneshot("metrics", dir.File("a.npy"), dir.File("b.npy"));
        Assert.Equal(1, code);
        Assert.Contains("differ in length (4 and 3)", error);

        (code, _, error) = CliTests.Oneshot("metrics", dir.File("a.npy"), dir.File("missing.npy"));
        Assert.Equal(1, code);
        Assert.Contains("missing.npy", error);

        File.WriteAllText(dir.File("text.npy"), "not numpy");
        (code, _, error) = CliTests.Oneshot("metrics", dir.File("text.npy"), dir.File("a.npy"));
        Assert.Equal(1, code);
        Assert.Contains("text.npy' is not a .npy file", error);
    }
}
