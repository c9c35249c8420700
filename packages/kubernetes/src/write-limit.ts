// At most `limit` writes in flight to one member cluster; the others wait their turn, first come
// first served. A first sync places every shard of every service at once: unbounded, that is
// thousands of requests (and sockets) together against one API server.
export class WriteLimit {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(write: () => Promise<T>): Promise<T> {
    if (this.#running < this.limit) this.#running++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await write();
    } finally {
      // The slot passes straight to the next in line, so none can jump ahead of it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
