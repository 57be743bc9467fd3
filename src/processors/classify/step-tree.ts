import type { TraceStep } from '../../model/index.js';

const NONE = -1;

/**
 * The parent links of a trace's steps, read once so that depth and ancestry cost constant
 * time: walking up from each step costs its depth, and a chain of 5,000 failing steps took
 * seconds that way, on the event loop.
 *
 * A step's ancestors are the steps met walking up its parent links, each once. Clients send
 * links as they please: a parent may be missing, the step itself, or part of a cycle. A step
 * on a cycle has every step of the cycle as an ancestor, itself included; steps below a cycle
 * have the whole cycle above them. So each cycle is taken as one node of the tree, and every
 * node gets its position in a pre-order walk of the tree: a node's descendants then hold the
 * positions from its own to the end of its subtree.
 *
 * Steps are numbered by their place in the trace, and everything is kept in arrays of small
 * integers: most traces are a dozen steps, for which a list or an object per step would cost
 * more than the walks this saves.
 */
export class StepTree {
  /** How many ancestors each step has. */
  private readonly depths: number[];
  /** 1 for a step on a cycle of parent links. */
  private readonly cyclic: number[];
  /** The node a step belongs to: itself, or one step of its cycle standing for all of it. */
  private readonly nodes: number[];
  /** Each node's position in pre-order, and the position after its descendants. */
  private readonly starts: number[];
  private readonly ends: number[];

  /** `steps` are those of one trace; span ids are unique among them, as assembly keeps them. */
  constructor(steps: readonly TraceStep[]) {
    const count = steps.length;
    const indexById = new Map<string, number>();
    for (let step = 0; step < count; step++) indexById.set(steps[step]!.spanId, step);
    const parents = filled(count, NONE);
    for (let step = 0; step < count; step++) {
      parents[step] = indexById.get(steps[step]!.parentSpanId) ?? NONE;
    }
    this.depths = filled(count, 0);
    this.cyclic = filled(count, 0);
    this.nodes = filled(count, 0);
    for (let step = 0; step < count; step++) this.nodes[step] = step;
    this.measureDepths(parents);
    this.starts = filled(count, 0);
    this.ends = filled(count, 0);
    this.numberNodes(parents);
  }

  /** The number of ancestors of the step at `index`. */
  depth(index: number): number {
    return this.depths[index]!;
  }

  /** The pre-order position of the step's node: where its ancestors' `descendants` find it. */
  position(index: number): number {
    return this.starts[this.nodes[index]!]!;
  }

  /**
   * The positions `[from, to)` that hold the step's descendants. They include its own node,
   * which holds only itself unless it is on a cycle, where its descendants are its cycle too.
   */
  descendants(index: number): { from: number; to: number } {
    const node = this.nodes[index]!;
    return { from: this.starts[node]!, to: this.ends[node]! };
  }

  /**
   * Walks up from each step not yet measured until a measured step, a missing parent or a
   * step of this walk (a cycle), then gives the steps walked their depths on the way back.
   */
  private measureDepths(parents: number[]): void {
    const UNSEEN = 0;
    const WALKING = 1;
    const MEASURED = 2;
    const state = filled(parents.length, UNSEEN);
    const path: number[] = [];
    for (let first = 0; first < parents.length; first++) {
      if (state[first] !== UNSEEN) continue;
      path.length = 0;
      let at = first;
      while (at !== NONE && state[at] === UNSEEN) {
        state[at] = WALKING;
        path.push(at);
        at = parents[at]!;
      }
      if (at !== NONE && state[at] === WALKING) {
        // The walk came back to itself: the steps from `at` on form a cycle.
        const cycleStart = path.indexOf(at);
        const length = path.length - cycleStart;
        for (const step of path.splice(cycleStart)) {
          this.depths[step] = length;
          this.cyclic[step] = 1;
          this.nodes[step] = at;
          state[step] = MEASURED;
        }
      }
      for (let i = path.length - 1; i >= 0; i--) {
        const step = path[i]!;
        const parent = parents[step]!;
        // A cycle's steps are ancestors of one another, so one on it adds no new ancestor.
        this.depths[step] = parent === NONE ? 0 : this.depths[parent]! + 1 - this.cyclic[parent]!;
        state[step] = MEASURED;
      }
    }
  }

  /**
   * Numbers the nodes in pre-order. Children are kept as linked lists in arrays (each node's
   * first child, each child's next sibling), and the walk goes back up by the parent links, so
   * it needs no recursion, no stack and no list per node, however deep the tree.
   */
  private numberNodes(parents: number[]): void {
    const count = parents.length;
    const above = filled(count, NONE);
    const nextChild = filled(count, NONE);
    const nextSibling = filled(count, NONE);
    for (let step = count - 1; step >= 0; step--) {
      if (this.nodes[step] !== step || this.cyclic[step] === 1) continue;
      const parent = parents[step]!;
      if (parent === NONE) continue;
      const node = this.nodes[parent]!;
      above[step] = node;
      nextSibling[step] = nextChild[node]!;
      nextChild[node] = step;
    }
    let position = 0;
    for (let top = 0; top < count; top++) {
      if (this.nodes[top] !== top || above[top] !== NONE) continue;
      this.starts[top] = position++;
      let node = top;
      while (node !== NONE) {
        const child = nextChild[node]!;
        if (child !== NONE) {
          nextChild[node] = nextSibling[child]!;
          this.starts[child] = position++;
          node = child;
        } else {
          this.ends[node] = position;
          node = above[node]!;
        }
      }
    }
  }
}

/**
 * Steps marked so far, found by their tree position: `within` lists the marked steps whose
 * positions lie in a range at a cost of the steps listed, not of the range's size. The marked
 * steps form one list in position order (then in the order marked); a Fenwick tree of counts
 * finds where a range starts in it, and where a new mark goes.
 */
export class MarkedPositions {
  private readonly counts: number[];
  private readonly positions: number[];
  /** Each marked step's successor in the list; the first and last step marked at a position. */
  private readonly next: number[];
  private readonly first: number[];
  private readonly last: number[];
  private head = NONE;
  private marked = 0;

  /** Positions `[0, size)`, for steps numbered `[0, size)`. */
  constructor(private readonly size: number) {
    this.counts = filled(size + 1, 0);
    this.positions = filled(size, NONE);
    this.next = filled(size, NONE);
    this.first = filled(size, NONE);
    this.last = filled(size, NONE);
  }

  mark(position: number, step: number): void {
    // After the last step marked at this position, else after the last one before it.
    const before = this.last[position] !== NONE ? this.last[position]! : this.lastBefore(position);
    if (before === NONE) {
      this.next[step] = this.head;
      this.head = step;
    } else {
      this.next[step] = this.next[before]!;
      this.next[before] = step;
    }
    if (this.first[position] === NONE) this.first[position] = step;
    this.last[position] = step;
    this.positions[step] = position;
    this.marked++;
    for (let i = position + 1; i <= this.size; i += i & -i) this.counts[i]!++;
  }

  /** The steps marked at positions `[from, to)`, by position, then in the order marked. */
  within(from: number, to: number): number[] {
    const steps: number[] = [];
    const before = this.markedBefore(from);
    if (before === this.marked) return steps;
    for (
      let step = this.first[this.nthMarked(before + 1)]!;
      step !== NONE && this.positions[step]! < to;
      step = this.next[step]!
    ) {
      steps.push(step);
    }
    return steps;
  }

  /** The last step marked at a position before `position`, or NONE. */
  private lastBefore(position: number): number {
    const before = this.markedBefore(position);
    return before === 0 ? NONE : this.last[this.nthMarked(before)]!;
  }

  /** How many marks lie before `position`. */
  private markedBefore(position: number): number {
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += this.counts[i]!;
    return sum;
  }

  /** The position of the `n`th mark (1-based); `n` is at most the number of marks. */
  private nthMarked(n: number): number {
    let position = 0;
    let left = n;
    for (let step = highestBit(this.size); step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.size && this.counts[next]! < left) {
        position = next;
        left -= this.counts[next]!;
      }
    }
    return position;
  }
}

/** An array of `length` copies of `value`. */
const filled = (length: number, value: number): number[] => new Array<number>(length).fill(value);

const highestBit = (value: number): number => (value > 0 ? 1 << (31 - Math.clz32(value)) : 0);
