import Button from "@atlaskit/button/new";
import EmptyState from "@atlaskit/empty-state";
import SectionMessage, { SectionMessageAction } from "@atlaskit/section-message";
import { Box, Text } from "@atlaskit/primitives";

/** The panel's error (with "Try again" when it may help) and empty states; a lazily loaded chunk. */
export default function Notice({ kind, message, onRetry }: { kind: "error" | "empty"; message: string; onRetry?: () => void }) {
  if (kind === "error") {
    return (
      <SectionMessage
        appearance="error"
        title="Review radar is unavailable"
        actions={onRetry ? [<SectionMessageAction key="retry" onClick={onRetry}>Try again</SectionMessageAction>] : []}
      >
        <Text>{message}</Text>
      </SectionMessage>
    );
  }
  return (
    <Box testId="empty">
      <EmptyState
        headingLevel={2}
        width="narrow"
        header="Nothing waiting for review"
        description={message}
        primaryAction={
          onRetry ? (
            <Button appearance="subtle" onClick={onRetry}>
              Refresh
            </Button>
          ) : undefined
        }
      />
    </Box>
  );
}
