import type { NextConfig } from 'next';

// Telemetry is switched off by NEXT_TELEMETRY_DISABLED=1 in every script (there is no
// config key for it); builds must work offline.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  // @openwcall/shared ships TypeScript sources, not a build.
  transpilePackages: ['@openwcall/shared'],
  poweredByHeader: false,
};

export default nextConfig;
