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
 */
export class StepTree {
  /** How many ancestors each step has. */
  private readonly depths: Int32Array;
  /** Whether a step is on a cycle of parent links. */
  private readonly cyclic: Uint8Array;
  /** The node a step belongs to: itself, or one step of its cycle standing for all of it. */
  private readonly nodes: Int32Array;
  /** Each node's position in pre-order, and the position after its descendants. */
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;

  /** `steps` are those of one trace; span ids are unique among them, as assembly keeps them. */
  constructor(steps: readonly TraceStep[]) {
    const count = steps.length;
    const indexById = new Map<string, number>();
    steps.forEach((step, index) => indexById.set(step.spanId, index));
    const parents = Int32Array.from(steps, (step) => indexById.get(step.parentSpanId) ?? NONE);
    this.depths = new Int32Array(count);
    this.cyclic = new Uint8Array(count);
    this.nodes = Int32Array.from({ length: count }, (_, index) => index);
    this.measureDepths(parents);
    this.starts = new Int32Array(count);
    this.ends = new Int32Array(count);
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
  private measureDepths(parents: Int32Array): void {
    const UNSEEN = 0;
    const WALKING = 1;
    const MEASURED = 2;
    const state = new Uint8Array(parents.length);
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
        this.depths[step] =
          parent === NONE ? 0 : this.depths[parent]! + (this.cyclic[parent] === 1 ? 0 : 1);
        state[step] = MEASURED;
      }
    }
  }

  /** Numbers the nodes in pre-order, without recursion: the tree may be 5,000 levels deep. */
  private numberNodes(parents: Int32Array): void {
    const count = parents.length;
    const children: number[][] = Array.from({ length: count }, () => []);
    const tops: number[] = [];
    for (let step = 0; step < count; step++) {
      if (this.nodes[step] !== step) continue; // a cycle's other steps share its node
      const parent = this.cyclic[step] === 1 ? NONE : parents[step]!;
      if (parent === NONE) tops.push(step);
      else children[this.nodes[parent]!]!.push(step);
    }
    let position = 0;
    const stack: { node: number; next: number }[] = [];
    for (const top of tops) {
      this.starts[top] = position++;
      stack.push({ node: top, next: 0 });
      while (stack.length > 0) {
        const frame = stack[stack.length - 1]!;
        const child = children[frame.node]![frame.next++];
        if (child === undefined) {
          this.ends[frame.node] = position;
          stack.pop();
        } else {
          this.starts[child] = position++;
          stack.push({ node: child, next: 0 });
        }
      }
    }
  }
}

/**
 * Steps marked so far, found by their tree position: `within` lists the marked steps whose
 * positions lie in a range, at a cost of the steps listed, not of the range's size (a Fenwick
 * tree of counts, searched for the next marked position).
 */
export class MarkedPositions {
  private readonly counts: Int32Array;
  private readonly atPosition: number[][];

  constructor(private readonly size: number) {
    this.counts = new Int32Array(size + 1);
    this.atPosition = Array.from({ length: size }, () => []);
  }

  mark(position: number, item: number): void {
    this.atPosition[position]!.push(item);
    for (let i = position + 1; i <= this.size; i += i & -i) this.counts[i]!++;
  }

  /** The items marked at positions `[from, to)`, by position, then in the order marked. */
  within(from: number, to: number): number[] {
    const items: number[] = [];
    let seen = this.markedBefore(from);
    for (let at = this.nthMarked(seen + 1); at < to; at = this.nthMarked(seen + 1)) {
      const here = this.atPosition[at]!;
      for (const item of here) items.push(item);
      seen += here.length;
    }
    return items;
  }

  /** How many marks lie before `position`. */
  private markedBefore(position: number): number {
    let sum = 0;
    for (let i = position; i > 0; i -= i & -i) sum += this.counts[i]!;
    return sum;
  }

  /** The position of the `n`th mark (1-based), or `size` when there are fewer. */
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

const highestBit = (value: number): number => (value > 0 ? 1 << (31 - Math.clz32(value)) : 0);
