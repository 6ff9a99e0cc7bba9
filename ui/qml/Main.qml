import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs
import Prism.Ui

// The main window. The application hands in its controllers as required properties; nothing
// here reaches global objects.
ApplicationWindow {
    id: window
    objectName: "mainWindow"
    required property EngineController engine
    required property ChatController chat
    // The data layer's objects (plain QObjects, not QML types): SettingsStore,
    // ConversationListModel, ConversationStore, ModelCatalog, ModelListModel.
    required property var settings
    required property var conversations
    required property var history
    required property var catalog
    required property var models
    required property var browser  // ModelBrowser: models from Hugging Face
    required property var secrets  // SecretStore: API keys in the keyring
    required property LiveController live
    required property var liveSettings  // LiveSettings
    required property var dictation     // DictationController: the composer's microphone
    required property var deletion      // ConversationDeletion: deleting with undo
    required property string demoModelPath
    required property bool systemDark

    width: 1180
    height: 780
    visible: true
    title: engine.modelLoaded ? qsTr("Prism – %1").arg(engine.modelName) : "Prism"

    Theme {
        id: theme
        dark: window.settings.theme === "dark" || (window.settings.theme === "system" && window.systemDark)
    }
    color: theme.window
    palette.window: theme.window
    palette.windowText: theme.text
    palette.base: theme.surface
    palette.text: theme.text
    palette.button: theme.dark ? "#2b2e34" : "#e6e9ee"
    palette.buttonText: theme.text
    palette.highlight: theme.accent
    palette.highlightedText: theme.accentText
    palette.placeholderText: theme.muted
    palette.mid: theme.border
    palette.light: theme.dark ? "#3a3d44" : "#ffffff"
    palette.dark: theme.dark ? "#0f1012" : "#b9bec6"
    palette.toolTipBase: theme.surface
    palette.toolTipText: theme.text

    readonly property bool showWelcome: !engine.modelLoaded && engine.status !== EngineController.Loading
                                        && chat.messages.count === 0

    function openModel() { modelDialog.open() }

    Shortcut { sequences: [StandardKey.New]; onActivated: { window.chat.newChat(); composer.focusInput() } }
    Shortcut { sequences: [StandardKey.Open]; onActivated: window.openModel() }
    Shortcut { sequence: "Esc"; enabled: window.chat.generating && !window.live.active; onActivated: window.chat.stop() }
    // Live mode: Ctrl+L toggles it, Esc leaves it (Space held is push-to-talk in the view).
    Shortcut {
        objectName: "liveShortcut"
        sequence: "Ctrl+L"
        onActivated: window.toggleLive()
    }
    Shortcut { sequence: "Esc"; enabled: window.live.active; onActivated: window.live.stop() }
    function toggleLive() {
        window.live.toggle()
        if (window.live.active)
            liveView.forceActiveFocus()
    }
    Shortcut {
        // Ctrl+V outside the text field (inside it, the field handles the key).
        sequences: [StandardKey.Paste]
        onActivated: {
            composer.focusInput()
            if (!window.chat.pasteImageFromClipboard())
                composer.input.paste()
        }
    }
    Shortcut { sequence: "Ctrl+,"; onActivated: settingsDialog.open() }
    Shortcut { sequence: "Ctrl+D"; onActivated: browserDialog.open() }

    Connections {
        target: window.chat
        function onNotify(message) { toast.show(message) }
    }
    Connections {
        target: window.history
        function onErrorOccurred(message) { toast.show(message) }
    }
    // However live mode ends (Esc, its Stop button, Ctrl+L), the chat shows its conversation
    // (AppContext opens it) with the composer ready to go on.
    Connections {
        target: window.live
        function onActiveChanged() {
            if (!window.live.active)
                composer.focusInput()
        }
    }
    Connections {
        target: window.engine
        function onLoadFailed(error) {
            loadError.text = error
            loadErrorDialog.open()
        }
        function onModelChanged() {
            if (!window.engine.modelLoaded)
                return
            composer.focusInput()
            const notes = [window.engine.visionNote, window.engine.contextWarning]
            const shown = notes.filter(note => note.length > 0).join("\n")
            if (shown.length > 0)
                toast.show(shown)
        }
    }

    // Files dropped anywhere on the window: models load, images attach.
    DropArea {
        objectName: "windowDropArea"
        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: (d) => {
            if (d.hasUrls) {
                window.chat.dropUrls(d.urls)
                d.acceptProposedAction()
            }
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        Sidebar {
            Layout.preferredWidth: 250
            Layout.fillHeight: true
            theme: theme
            chat: window.chat
            conversations: window.conversations
            history: window.history
            deletion: window.deletion
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            HistoryBanner {
                Layout.fillWidth: true
                theme: theme
                history: window.history
            }

            ModelBar {
                Layout.fillWidth: true
                theme: theme
                engine: window.engine
                models: window.models
                catalog: window.catalog
                onOpenModelRequested: window.openModel()
                onBrowseHubRequested: browserDialog.open()
                onInfoRequested: infoDialog.open()
                onSettingsRequested: settingsDialog.open()
            }

            WelcomeView {
                visible: window.showWelcome && !window.live.active
                Layout.fillWidth: true
                Layout.fillHeight: true
                theme: theme
                engine: window.engine
                demoModelPath: window.demoModelPath
                onOpenModelRequested: window.openModel()
            }

            LiveView {
                id: liveView
                visible: window.live.active
                Layout.fillWidth: true
                Layout.fillHeight: true
                theme: theme
                live: window.live
                liveSettings: window.liveSettings
            }

            ChatView {
                id: chatView
                visible: !window.showWelcome && !window.live.active
                Layout.fillWidth: true
                Layout.fillHeight: true
                theme: theme
                chat: window.chat
            }

            Composer {
                id: composer
                visible: !window.live.active
                dictation: window.dictation
                onLiveRequested: window.toggleLive()
                onNotify: (message) => toast.show(message)
                Layout.fillWidth: true
                Layout.maximumWidth: 900
                Layout.alignment: Qt.AlignHCenter
                Layout.margins: 16
                theme: theme
                chat: window.chat
                engine: window.engine
                Component.onCompleted: focusInput()
            }
        }
    }

    FileDialog {
        id: modelDialog
        title: qsTr("Open a GGUF model")
        nameFilters: [qsTr("GGUF models (*.gguf)"), qsTr("All files (*)")]
        onAccepted: window.engine.loadModel(selectedFile)
    }

    Dialog {
        id: loadErrorDialog
        objectName: "loadErrorDialog"
        title: qsTr("The model could not be loaded")
        modal: true
        anchors.centerIn: parent
        width: Math.min(520, window.width - 48)
        standardButtons: Dialog.Ok
        Label {
            id: loadError
            objectName: "loadErrorText"
            width: parent.width
            wrapMode: Text.Wrap
            color: theme.text
        }
    }

    ModelBrowserDialog {
        id: browserDialog
        theme: theme
        browser: window.browser
    }

    ModelInfoDialog {
        id: infoDialog
        theme: theme
        engine: window.engine
    }

    SettingsDialog {
        id: settingsDialog
        theme: theme
        settings: window.settings
        engine: window.engine
        secrets: window.secrets
    }

    Toast {
        id: toast
        theme: theme
    }
}
