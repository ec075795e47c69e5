/**
 * Prettier settings of OCA's 18.0 repositories, read by the pre-commit hook
 * (editorconfig completes them: 4-space indent, 2 for YAML).
 *
 * The XML plugin is named by its resolved path: prettier 3 looks plugins up
 * from the repository, where none is installed; require.resolve() finds it
 * on NODE_PATH, in the node environment pre-commit made for the hook.
 *
 * @type {import("prettier").Config}
 */
module.exports = {
    plugins: [require.resolve("@prettier/plugin-xml")],
    bracketSpacing: false,
    printWidth: 88,
    proseWrap: "always",
    semi: true,
    trailingComma: "es5",
    xmlWhitespaceSensitivity: "preserve",
};
