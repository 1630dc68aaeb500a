using System;
using System.Globalization;
using System.Text;

namespace CompiledNet
{
    /// <summary>
    /// A detailed look at how a network classifies a data set (see <see cref="Evaluator.EvaluateReport"/>): the
    /// confusion matrix and, per class, precision, recall and F1, with their macro averages. A separate result, so
    /// that <see cref="Evaluator.Evaluate"/> (run after every epoch) stays two numbers and allocates nothing.
    /// For class c with TP examples of c predicted as c, FP examples of another class predicted as c and FN examples
    /// of c predicted as another class: precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2·P·R / (P + R).
    /// A class never predicted has precision 0, a class without examples recall 0, and F1 is 0 when P + R = 0 (as
    /// scikit-learn's <c>classification_report</c> reports them with its default <c>zero_division</c>).
    /// </summary>
    public sealed class ClassificationReport
    {
        private readonly int[] _confusion;   // row-major [actual, predicted]

        internal ClassificationReport(int classCount, int[] confusion, double meanLoss)
        {
            ClassCount = classCount;
            _confusion = confusion;
            MeanLoss = meanLoss;
            int correct = 0, count = 0;
            for (int c = 0; c < classCount; c++)
            {
                correct += confusion[c * classCount + c];
                for (int p = 0; p < classCount; p++) count += confusion[c * classCount + p];
            }
            Count = count;
            Accuracy = count == 0 ? double.NaN : (double)correct / count;
            double precision = 0, recall = 0, f1 = 0;
            for (int c = 0; c < classCount; c++) { precision += Precision(c); recall += Recall(c); f1 += F1(c); }
            MacroPrecision = precision / classCount;
            MacroRecall = recall / classCount;
            MacroF1 = f1 / classCount;
        }

        /// <summary>Number of classes: the larger of the data set's <see cref="Dataset.ClassCount"/> and the classes the network can predict.</summary>
        public int ClassCount { get; }

        /// <summary>Number of examples measured.</summary>
        public int Count { get; }

        /// <summary>Share of the examples classified correctly (the trace of the confusion matrix over <see cref="Count"/>); NaN for an empty data set.</summary>
        public double Accuracy { get; }

        /// <summary>Mean <c>Loss</c> over the examples; NaN for an empty data set.</summary>
        public double MeanLoss { get; }

        /// <summary>Examples of class <paramref name="actual"/> that the network classified as <paramref name="predicted"/>.</summary>
        public int Confusion(int actual, int predicted)
        {
            if ((uint)actual >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"Classes lie in [0, {ClassCount}).");
            if ((uint)predicted >= (uint)ClassCount) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"Classes lie in [0, {ClassCount}).");
            return _confusion[actual * ClassCount + predicted];
        }

        /// <summary>A copy of the confusion matrix: element [actual, predicted] counts the examples of class actual classified as predicted.</summary>
        public int[,] ToConfusionMatrix()
        {
            var matrix = new int[ClassCount, ClassCount];
            for (int a = 0; a < ClassCount; a++)
                for (int p = 0; p < ClassCount; p++) matrix[a, p] = _confusion[a * ClassCount + p];
            return matrix;
        }

        /// <summary>Examples of class <paramref name="c"/> in the data set (a row sum of the confusion matrix).</summary>
        public int Support(int c)
        {
            int sum = 0;
            for (int p = 0; p < ClassCount; p++) sum += Confusion(c, p);
            return sum;
        }

        /// <summary>Examples the network classified as <paramref name="c"/> (a column sum of the confusion matrix).</summary>
        public int Predicted(int c)
        {
            int sum = 0;
            for (int a = 0; a < ClassCount; a++) sum += Confusion(a, c);
            return sum;
        }

        /// <summary>TP / (TP + FP) of class <paramref name="c"/>: the share of the examples classified as c that are c; 0 when none is.</summary>
        public double Precision(int c)
        {
            int predicted = Predicted(c);
            return predicted == 0 ? 0 : (double)Confusion(c, c) / predicted;
        }

        /// <summary>TP / (TP + FN) of class <paramref name="c"/>: the share of the examples of c classified as c; 0 when the class has none.</summary>
        public double Recall(int c)
        {
            int support = Support(c);
            return support == 0 ? 0 : (double)Confusion(c, c) / support;
        }

        /// <summary>The harmonic mean of <see cref="Precision"/> and <see cref="Recall"/> of class <paramref name="c"/>; 0 when both are 0.</summary>
        public double F1(int c)
        {
            double p = Precision(c), r = Recall(c);
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        /// <summary>The unweighted mean of <see cref="Precision"/> over the classes (every class counts alike, however rare).</summary>
        public double MacroPrecision { get; }

        /// <summary>The unweighted mean of <see cref="Recall"/> over the classes.</summary>
        public double MacroRecall { get; }

        /// <summary>The unweighted mean of <see cref="F1"/> over the classes (not the F1 of the macro precision and recall).</summary>
        public double MacroF1 { get; }

        /// <summary>A table: per class precision, recall, F1 and support, then the macro averages and the accuracy (invariant culture).</summary>
        public override string ToString()
        {
            var text = new StringBuilder();
            var inv = CultureInfo.InvariantCulture;
            text.AppendLine("class  precision  recall     f1  support");
            for (int c = 0; c < ClassCount; c++)
                text.AppendLine(string.Format(inv, "{0,5}  {1,9:F4}  {2,6:F4}  {3,5:F4}  {4,7}", c, Precision(c), Recall(c), F1(c), Support(c)));
            text.AppendLine(string.Format(inv, "macro  {0,9:F4}  {1,6:F4}  {2,5:F4}  {3,7}", MacroPrecision, MacroRecall, MacroF1, Count));
            text.Append(string.Format(inv, "accuracy {0:F4}", Accuracy));
            return text.ToString();
        }
    }
}
