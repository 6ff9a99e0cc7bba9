import QtQuick

// Colours and sizes of the app. One instance is made by Main and handed to the views, so the
// theme can change at run time and tests can inspect it. Text colours keep a contrast of at
// least 4.5:1 on their backgrounds in both themes (WCAG AA).
QtObject {
    property bool dark: false

    readonly property color window: dark ? "#17181b" : "#f6f7f9"
    readonly property color surface: dark ? "#202226" : "#ffffff"
    readonly property color sidebar: dark ? "#1c1d21" : "#eceef2"
    readonly property color text: dark ? "#e8e9eb" : "#1d1f23"
    readonly property color muted: dark ? "#a4a9b1" : "#5c636d"
    readonly property color accent: dark ? "#86affc" : "#2558c7"
    readonly property color accentText: dark ? "#101217" : "#ffffff"
    readonly property color userBubble: dark ? "#27324a" : "#e3ebfb"
    readonly property color border: dark ? "#34373d" : "#d7dbe1"
    readonly property color codeBackground: dark ? "#131417" : "#f1f3f6"
    readonly property color danger: dark ? "#ff8a80" : "#b3261e"
    readonly property color selection: dark ? "#3a4a6b" : "#c9d8f6"

    readonly property int radius: 10
    readonly property int spacing: 12
    readonly property string monoFont: "monospace"
}
