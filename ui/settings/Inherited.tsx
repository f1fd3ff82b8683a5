import Lozenge from "@atlaskit/lozenge";

/**
 * The "inherited from workspace" marker of one field: shown when the repository does not set the
 * field itself and takes the workspace default (`card.inherited`, from the API). Renders nothing otherwise.
 */
export function Inherited({ name, inherited }: { name: string; inherited: readonly string[] | undefined }) {
  if (!inherited?.includes(name)) return null;
  return (
    <span data-testid={`inherited-${name}`} title="This repository uses the workspace default. Saving a value here overrides it.">
      <Lozenge appearance="inprogress">inherited from workspace</Lozenge>
    </span>
  );
}
