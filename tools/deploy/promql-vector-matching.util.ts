import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/**
 * What an expression yields, as far as can be told without data: a scalar, an instant vector whose
 * series carry exactly `labels` (after `sum by (…)`, `sum(…)`, `vector(…)`), or a vector whose labels
 * depend on the series (a selector, `without`, label_replace, …).
 */
type Shape = { kind: 'scalar' } | { kind: 'labels'; labels: Set<string> } | { kind: 'unknown' };

const SCALAR: Shape = { kind: 'scalar' };
const UNKNOWN: Shape = { kind: 'unknown' };
const labelled = (labels: Iterable<string>): Shape => ({ kind: 'labels', labels: new Set(labels) });

/** Aggregations whose result keeps the input's labels (or adds one), unlike sum/max/… by (…). */
const LABEL_KEEPING_AGGREGATIONS = new Set(['Topk', 'Bottomk', 'LimitK', 'LimitRatio', 'CountValues']);
const SCALAR_FUNCTIONS = new Set(['Scalar', 'Time', 'Pi']);
const LABEL_CHANGING_FUNCTIONS = new Set(['LabelReplace', 'LabelJoin', 'Absent', 'AbsentOverTime', 'Info']);
const SET_OPERATORS = new Set(['And', 'Or', 'Unless']);
const BINARY_MODIFIERS = new Set(['MatchingModifierClause', 'BoolModifier', 'FillModifier']);

interface Matching {
  mode: 'on' | 'ignoring' | 'none';
  labels: Set<string>;
  group: 'left' | 'right' | 'none';
}

/** The expression children of a node (operators, modifiers and keywords left out). */
function expressionChildren(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.type.is('Expr')) children.push(child);
  return children;
}

/** The operator of a binary expression: Div, Gtr, And, … */
function operatorOf(binary: SyntaxNode): string {
  for (let child = binary.firstChild; child; child = child.nextSibling) if (!child.type.is('Expr') && !BINARY_MODIFIERS.has(child.name)) return child.name;
  return '';
}

function groupingLabels(node: SyntaxNode | null, source: string): Set<string> {
  const labels = new Set<string>();
  for (let child = node?.firstChild ?? null; child; child = child.nextSibling)
    if (child.name === 'LabelName' || child.name === 'QuotedLabelName') labels.add(source.slice(child.from, child.to).replace(/^"|"$/g, ''));
  return labels;
}

function matchingOf(binary: SyntaxNode, source: string): Matching {
  const clause = binary.getChild('MatchingModifierClause');
  if (!clause) return { mode: 'none', labels: new Set(), group: 'none' };
  return {
    mode: clause.getChild('On') ? 'on' : 'ignoring',
    labels: groupingLabels(clause.getChild('GroupingLabels'), source),
    group: clause.getChild('GroupLeft') ? 'left' : clause.getChild('GroupRight') ? 'right' : 'none',
  };
}

/** The labels a side is matched on: `on (l)` keeps l, `ignoring (l)` drops l, no clause keeps all. */
function matchKey(labels: Set<string>, matching: Matching): Set<string> {
  if (matching.mode === 'on') return new Set([...labels].filter((label) => matching.labels.has(label)));
  return new Set([...labels].filter((label) => !matching.labels.has(label)));
}

const sameSet = (a: Set<string>, b: Set<string>): boolean => a.size === b.size && [...a].every((label) => b.has(label));
const show = (labels: Set<string>): string => `{${[...labels].sort().join(', ')}}`;

class VectorMatchingChecker {
  readonly problems: string[] = [];

  constructor(private readonly source: string) {}

  shapeOf(node: SyntaxNode): Shape {
    switch (node.name) {
      case 'NumberDurationLiteral':
      case 'StringLiteral':
        return SCALAR;
      case 'ParenExpr':
      case 'UnaryExpr':
      case 'OffsetExpr':
      case 'AnchoredExpr':
      case 'SmoothedExpr':
      case 'StepInvariantExpr': {
        const [inner] = expressionChildren(node);
        return inner ? this.shapeOf(inner) : UNKNOWN;
      }
      case 'AggregateExpr':
        return this.aggregateShape(node);
      case 'FunctionCall':
        return this.functionShape(node);
      case 'BinaryExpr':
        return this.binaryShape(node);
      default:
        // Selectors and subqueries: whatever labels the series have.
        return UNKNOWN;
    }
  }

  private aggregateShape(node: SyntaxNode): Shape {
    for (const argument of expressionChildren(node.getChild('FunctionCallBody')!)) this.shapeOf(argument);
    const operator = node.getChild('AggregateOp')?.firstChild?.name ?? '';
    if (LABEL_KEEPING_AGGREGATIONS.has(operator)) return UNKNOWN;
    const modifier = node.getChild('AggregateModifier');
    if (!modifier) return labelled([]);
    if (modifier.getChild('Without')) return UNKNOWN;
    return labelled(groupingLabels(modifier.getChild('GroupingLabels'), this.source));
  }

  private functionShape(node: SyntaxNode): Shape {
    const name = node.getChild('FunctionIdentifier')?.firstChild?.name ?? '';
    const shapes = expressionChildren(node.getChild('FunctionCallBody')!).map((argument) => this.shapeOf(argument));
    if (SCALAR_FUNCTIONS.has(name)) return SCALAR;
    if (name === 'Vector') return labelled([]);
    if (LABEL_CHANGING_FUNCTIONS.has(name)) return UNKNOWN;
    // Other functions keep the labels of their vector argument (histogram_quantile drops le).
    const vector = shapes.find((shape) => shape.kind !== 'scalar') ?? UNKNOWN;
    if (name === 'HistogramQuantile' && vector.kind === 'labels') return labelled([...vector.labels].filter((label) => label !== 'le'));
    return vector;
  }

  private binaryShape(node: SyntaxNode): Shape {
    const [leftNode, rightNode] = expressionChildren(node) as [SyntaxNode, SyntaxNode];
    const left = this.shapeOf(leftNode);
    const right = this.shapeOf(rightNode);
    if (left.kind === 'scalar') return right;
    if (right.kind === 'scalar') return left;
    const operatorName = operatorOf(node);
    const matching = matchingOf(node, this.source);
    if (left.kind === 'labels' && right.kind === 'labels') this.check({ node, left: left.labels, right: right.labels, matching, setOperator: SET_OPERATORS.has(operatorName), or: operatorName === 'Or' });
    if (operatorName === 'Or') return left.kind === 'labels' && right.kind === 'labels' && sameSet(left.labels, right.labels) ? left : UNKNOWN;
    return matching.group === 'right' ? right : left;
  }

  private check({ node, left, right, matching, setOperator, or }: { node: SyntaxNode; left: Set<string>; right: Set<string>; matching: Matching; setOperator: boolean; or: boolean }): void {
    if (or) return;
    const where = `"${this.source.slice(node.from, node.to)}"`;
    const leftKey = matchKey(left, matching);
    const rightKey = matchKey(right, matching);
    if (!sameSet(leftKey, rightKey)) {
      this.problems.push(`${where}: the sides are matched on ${show(leftKey)} and ${show(rightKey)}, so no pair ever matches (use on (…) or ignoring (…), with group_left/group_right)`);
      return;
    }
    // and/unless match many-to-many; arithmetic and comparisons need one series per key on the "one" side(s).
    if (setOperator) return;
    // group_left: the left side is the "many" side and may have more labels than the match; the right side may not.
    if (matching.group !== 'left' && !sameSet(left, leftKey)) this.problems.push(`${where}: the left side has labels ${show(left)} beyond the match ${show(leftKey)}: several series per match (needs group_left)`);
    if (matching.group !== 'right' && !sameSet(right, rightKey)) this.problems.push(`${where}: the right side has labels ${show(right)} beyond the match ${show(rightKey)}: several series per match (needs group_right)`);
  }
}

/**
 * Vector-matching mistakes that Prometheus does not report but that make a binary operation empty or
 * fail at evaluation: e.g. `sum by (class) (a) / sum(b)` matches {class} against {} one-to-one and
 * never yields a result, so an alert on it can never fire. Only sides whose labels are known from
 * the expression (aggregations with by (…) or none, vector()) are checked; empty when nothing is wrong.
 * @example vectorMatchingProblems('sum by (class) (a) / sum(b)') // ['"sum by (class) (a) / sum(b)": the sides are matched on {class} and {}, …']
 */
export function vectorMatchingProblems(expr: string): string[] {
  const checker = new VectorMatchingChecker(expr);
  const top = parser.parse(expr).topNode.firstChild;
  if (top) checker.shapeOf(top);
  return checker.problems;
}
