import { loadEnv, defineConfig } from "@medusajs/framework/utils"

// The hub's stack passes everything through the environment (src/stack/medusa.ts); a local
// .env is still honoured so the app can be started by hand with `npx medusa start`.
loadEnv(process.env.NODE_ENV || "development", process.cwd())

// Local development only: a fixed fallback keeps `medusa db:migrate` usable without setup. The
// stack always passes generated secrets, and a production deployment must do the same.
const devOnlySecret = "hub-dev-only-secret"

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS || "http://localhost:8000",
      adminCors: process.env.ADMIN_CORS || "http://localhost:9000",
      authCors: process.env.AUTH_CORS || "http://localhost:9000",
      jwtSecret: process.env.JWT_SECRET || devOnlySecret,
      cookieSecret: process.env.COOKIE_SECRET || devOnlySecret,
    },
  },
  // The hub drives Medusa through its API only; skipping the admin UI saves a Vite build on
  // every start and a few hundred MB of memory.
  admin: { disable: true },
})
