using System.Reflection;
using System.Reflection.Emit;

namespace Oneshot.Tests.Build;

/// <summary>
/// A small IL reader for the tests that check our compiled code: which methods, fields and types a
/// method body refers to, each with the opcode that follows it.
/// </summary>
static class Il
{
    public const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static
        | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    static readonly Dictionary<short, OpCode> opcodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(op => op.Value);

    public static bool IsStore(OpCode? op) => op is { } o
        && (o.Name!.StartsWith("stloc") || o == OpCodes.Stfld || o == OpCodes.Stsfld);

    /// <summary>Every method and constructor a type declares.</summary>
    public static IEnumerable<MethodBase> MethodsOf(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    /// <summary>The methods a method calls (call, callvirt, newobj), each with the opcode that follows the
    /// call.</summary>
    public static IReadOnlyList<(MethodBase Target, OpCode? Next)> Calls(MethodBase method) =>
        [.. References(method).Where(r => r.Op == OpCodes.Call || r.Op == OpCodes.Callvirt || r.Op == OpCodes.Newobj)
            .Select(r => ((MethodBase)r.Member, r.Next))];

    /// <summary>Every member or type a method body names (calls, field accesses, casts, typeof, …).</summary>
    public static IReadOnlyList<(MemberInfo Member, OpCode Op, OpCode? Next)> References(MethodBase method)
    {
        var code = Instructions(method);
        return [.. code.Select((instruction, i) => (instruction, i)).Where(x => x.instruction.Member is not null)
            .Select(x =>
                (x.instruction.Member!, x.instruction.Op, x.i + 1 < code.Count ? code[x.i + 1].Op : (OpCode?)null))];
    }

    /// <summary>One IL instruction: its opcode, an integer operand (ldc.i4 and the like), and the member or type it
    /// names.</summary>
    public sealed record Instruction(OpCode Op, long? Integer, MemberInfo? Member);

    public static IReadOnlyList<Instruction> Instructions(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or BadImageFormatException) { il = null; }
        if (il == null) return [];
        var found = new List<Instruction>();
        for (int i = 0; i < il.Length;)
        {
            var op = opcodes[il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i]];
            i += op.Size;
            MemberInfo? member = op.OperandType is OperandType.InlineMethod or OperandType.InlineField
                or OperandType.InlineType or OperandType.InlineTok
                ? Resolve(method, BitConverter.ToInt32(il, i)) : null;
            long? integer = op.OperandType switch
            {
                OperandType.ShortInlineI => op == OpCodes.Ldc_I4_S ? (sbyte)il[i] : il[i],
                OperandType.InlineI => BitConverter.ToInt32(il, i),
                OperandType.InlineI8 => BitConverter.ToInt64(il, i),
                _ when op.Name!.StartsWith("ldc.i4.") => op == OpCodes.Ldc_I4_M1 ? -1 : op.Name[^1] - '0',
                _ => null,
            };
            found.Add(new Instruction(op, integer, member));
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
        return found;
    }

    static MemberInfo? Resolve(MethodBase method, int token)
    {
        try
        {
            return method.Module.ResolveMember(token,
                method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                method.IsGenericMethod ? method.GetGenericArguments() : null);
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException) { return null; }
    }
}
