"""The chat coordinator's tools: one folder each, found by scanning this package.

    <name>/manifest.toml
        name = "add_list_item"             must equal the folder name
        description = "Add an item to a list"
        confirm = false                    true: sends, deletes or spends — ask first
        sentences = ["add {item} to [the|my] {list} [list]", ...]   hassil templates
        [parameters]                       JSON schema of the arguments (also what LLMs see)
        type = "object"
        required = ["item"]
        [parameters.properties.item]
        type = "string"
    <name>/tool.py
        async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply

Built-in tools and later ones (messaging, workflows, connectors) use this same shape.
"""
