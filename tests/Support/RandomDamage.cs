using System.Text;

namespace PyMemTrace.Tests.Support;

/// <summary>Lines damaged at random (one to three characters removed, inserted or replaced), the same for a given seed.</summary>
public static class RandomDamage
{
    public static IEnumerable<string> Of(IReadOnlyList<string> lines, string alphabet, int seed, int count)
    {
        var rng = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            var sb = new StringBuilder(lines[rng.Next(lines.Count)]);
            for (int edits = rng.Next(1, 4); edits > 0 && sb.Length > 0; edits--)
            {
                int at = rng.Next(sb.Length);
                switch (rng.Next(3))
                {
                    case 0: sb.Remove(at, 1); break;
                    case 1: sb.Insert(at, alphabet[rng.Next(alphabet.Length)]); break;
                    default: sb[at] = alphabet[rng.Next(alphabet.Length)]; break;
                }
            }
            yield return sb.ToString();
        }
    }
}
