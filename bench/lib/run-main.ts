/** Runs a bench's `main`, printing a failure's stack and exiting 1 so a broken run is never read as figures. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
