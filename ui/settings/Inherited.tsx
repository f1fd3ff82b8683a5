import Lozenge from "@atlaskit/lozenge";

/**
 * The "inherited from workspace" marker of one field: shown when the repository does not set the
 * field itself and takes the workspace default (`card.inherited`, from the API). Renders nothing otherwise.
 * `scope`: what the defaults cover (Data Center: the instance, `scope.kind` of the page API).
 */
export function Inherited({ name, inherited, scope = "workspace" }: { name: string; inherited: readonly string[] | undefined; scope?: "workspace" | "instance" }) {
  if (!inherited?.includes(name)) return null;
  return (
    <span data-testid={`inherited-${name}`} title={`This repository uses the ${scope} default. Saving a value here overrides it.`}>
      <Lozenge appearance="inprogress">{`inherited from ${scope}`}</Lozenge>
    </span>
  );
}
