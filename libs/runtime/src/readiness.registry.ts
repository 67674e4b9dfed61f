/** What `/readyz` asks: each app registers the dependencies it cannot work without. */
export class ReadinessRegistry {
  private readonly checks = new Map<string, () => Promise<boolean> | boolean>();

  register(name: string, check: () => Promise<boolean> | boolean): void {
    this.checks.set(name, check);
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of this.checks) {
      try {
        checks[name] = await Promise.race([
          Promise.resolve(check()),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
        ]);
      } catch {
        checks[name] = false;
      }
    }
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}
