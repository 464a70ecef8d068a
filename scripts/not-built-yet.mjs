// Placeholder for a script whose issue has not landed yet. It says so and fails, so that
// nothing pretends to work: `npm run <name>` exits 2 with the reason.
const [name, reason] = process.argv.slice(2);
console.error(`sealdesk: \`npm run ${name}\` is not built yet: ${reason}.`);
process.exit(2);
