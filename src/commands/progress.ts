// A progress line on stderr while a long command runs: drawn only when stderr is a terminal and
// the work takes longer than `after` ms (small jobs finish first), redrawn every 100 ms, erased
// (carriage return + erase to end of line) before the results are printed. Piped output never
// sees it.
export interface ProgressOptions {
  /** the line to draw, e.g. `probing: 3/30 hosts` */
  line: () => string;
  /** ms before the first draw (default 300) */
  after?: number;
  stream?: NodeJS.WriteStream;
}

export function showProgress(options: ProgressOptions): () => void {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return () => undefined;
  let shown = false;
  const draw = () => {
    shown = true;
    stream.write(`\r${options.line()}`);
  };
  let ticker: NodeJS.Timeout | undefined;
  const start = setTimeout(() => {
    draw();
    ticker = setInterval(draw, 100);
  }, options.after ?? 300);
  return () => {
    clearTimeout(start);
    if (ticker) clearInterval(ticker);
    if (shown) stream.write('\r\x1b[K');
  };
}
