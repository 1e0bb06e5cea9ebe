import { Box, Text } from 'ink';
import SelectInput from 'ink-select-input';
import { toneColor } from '../theme.js';

export interface MenuItem<V> {
  key?: string;
  label: string;
  value: V;
}

function Indicator({ isSelected = false }: { isSelected?: boolean }) {
  return (
    <Box marginRight={1}>
      <Text color={toneColor('active')}>{isSelected ? '❯' : ' '}</Text>
    </Box>
  );
}

function Item({ isSelected = false, label }: { isSelected?: boolean; label: string }) {
  return (
    <Text bold={isSelected} color={isSelected ? toneColor('active') : undefined} wrap="truncate-end">
      {label}
    </Text>
  );
}

/** ink-select-input with the console's marks and colours (none under NO_COLOR). */
export function Menu<V>({
  items,
  onSelect,
  onHighlight,
  isFocused = true,
  limit,
  initialIndex,
}: {
  items: Array<MenuItem<V>>;
  onSelect: (item: MenuItem<V>) => void;
  onHighlight?: (item: MenuItem<V>) => void;
  isFocused?: boolean;
  limit?: number;
  initialIndex?: number;
}) {
  return (
    <SelectInput
      items={items.map((item) => ({ ...item, key: item.key ?? item.label }))}
      onSelect={onSelect}
      {...(onHighlight ? { onHighlight } : {})}
      isFocused={isFocused}
      {...(limit ? { limit } : {})}
      {...(initialIndex !== undefined ? { initialIndex } : {})}
      indicatorComponent={Indicator}
      itemComponent={Item}
    />
  );
}
