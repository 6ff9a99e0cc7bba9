#pragma once

// Finding the window's items as a user sees them: by objectName, in the scene (delegates
// included).

#include <QList>
#include <QString>

class QQuickItem;
class QQuickWindow;

namespace prism::ui::test {

QList<QQuickItem*> items_named(QQuickWindow* window, const QString& name);

// The texts of the visible items named `name` (Labels' text property), one per item.
QStringList visible_texts(QQuickWindow* window, const QString& name);

}  // namespace prism::ui::test
